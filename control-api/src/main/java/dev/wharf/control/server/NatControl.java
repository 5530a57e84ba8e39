package dev.wharf.control.server;

import dev.wharf.nat.FlowView;
import dev.wharf.nat.NatFailure;
import dev.wharf.nat.NatFeature;
import dev.wharf.nat.NatService;
import dev.wharf.nat.PublishedPort;
import dev.wharf.nat.UserRule;

import java.util.List;

/**
 * What the control plane asks of connection tracking and NAT: the seam between
 * {@link NatController} (and {@link ConntrackController}) and {@link NatService}, as {@link PortOpener} is for ports, so that the
 * controller's checks and its state run without the NAT nodes (tests, a daemon without NAT).
 * Called under the state transaction's lock, the counts and listings from any thread.
 */
public interface NatControl
{
    /** Replaces the published ports the nodes translate. */
    void publishedPorts(List<PublishedPort> ports);

    /** Replaces the user rules new connections are checked against. */
    void rules(List<UserRule> rules);

    /** Turns masquerade on or off for dataplane network {@code network}. */
    void masquerade(int network, boolean on);

    /** Connections tracked now. */
    int count();

    /** The table's size. */
    int max();

    /** Up to {@code limit} tracked connections. */
    List<FlowView> list(int limit);

    /** Forgets every tracked connection; how many there were. */
    int flush();

    /**
     * Ends the connections translated to or from {@code address} (masqueraded to it, or published on it),
     * as Linux's MASQUERADE forgets an address that goes: TCP with a reset at its next segment, others at once.
     * @return how many.
     */
    default int endFlowsOf(final int address)
    {
        return 0;
    }

    /** The latest connections that could not be set up, newest first. */
    List<NatFailure> recentFailures();

    /** Whether {@code counterName} is one of the NAT feature's node counters (listed by conntrack stats). */
    default boolean ownsCounter(final String counterName)
    {
        return NatFeature.ownsCounter(counterName);
    }

    /** The real thing. */
    static NatControl of(final NatService service)
    {
        return new NatControl()
        {
            public void publishedPorts(final List<PublishedPort> ports)
            {
                service.publishedPorts(ports);
            }

            public void rules(final List<UserRule> rules)
            {
                service.rules(rules);
            }

            public void masquerade(final int network, final boolean on)
            {
                service.masquerade(network, on);
            }

            public int count()
            {
                return service.count();
            }

            public int endFlowsOf(final int address)
            {
                return service.endFlows((oa, op, ra, rp, word) ->
                    dev.wharf.nat.FlowKey.destination(ra) == address || dev.wharf.nat.FlowKey.destination(oa) == address);
            }

            public int max()
            {
                return service.configuration().maxFlows();
            }

            public List<FlowView> list(final int limit)
            {
                return service.list(limit);
            }

            public int flush()
            {
                return service.flush();
            }

            public List<NatFailure> recentFailures()
            {
                return service.recentFailures();
            }
        };
    }

    /** No NAT nodes: keeps what it is given so that it can be read back, and tracks nothing. */
    static Detached detached()
    {
        return new Detached();
    }

    /** A {@link NatControl} without a table: remembers the latest published ports and rules. */
    final class Detached implements NatControl
    {
        private volatile List<PublishedPort> ports = List.of();
        private volatile List<UserRule> rules = List.of();

        public void publishedPorts(final List<PublishedPort> ports)
        {
            this.ports = List.copyOf(ports);
        }

        public void rules(final List<UserRule> rules)
        {
            this.rules = List.copyOf(rules);
        }

        /** The published ports last given. */
        public List<PublishedPort> publishedPorts()
        {
            return ports;
        }

        /** The rules last given. */
        public List<UserRule> rules()
        {
            return rules;
        }

        public void masquerade(final int network, final boolean on)
        {
        }

        public int count()
        {
            return 0;
        }

        public int max()
        {
            return 0;
        }

        public List<FlowView> list(final int limit)
        {
            return List.of();
        }

        public int flush()
        {
            return 0;
        }

        public List<NatFailure> recentFailures()
        {
            return List.of();
        }
    }
}
