package dev.wharf.nat;

/**
 * Chooses tracked flows for {@link NatService#endFlows}: by their tuples (see {@link FlowKey}) and their
 * state word ({@link ConnectionState}, its mark included). Called on the control thread for every live flow.
 */
@FunctionalInterface
public interface FlowMatcher
{
    boolean matches(long originalAddresses, long originalPorts, long replyAddresses, long replyPorts, int stateWord);
}
