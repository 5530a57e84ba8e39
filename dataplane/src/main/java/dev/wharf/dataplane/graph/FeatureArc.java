package dev.wharf.dataplane.graph;

/**
 * The named points of the core pipeline where feature modules insert nodes (VPP's feature arcs,
 * netfilter's hooks). A core node that feeds an arc names the arc as its next node; the
 * {@link GraphComposer} resolves that name to the arc's first feature node, or straight to the arc's
 * end node when no feature is on it, so an arc nobody uses costs nothing per packet. A feature node
 * names {@link #NEXT} for "the next node on my arc".
 *
 * <p>Arc names share the name space of node names: no node may be named like an arc.
 */
public final class FeatureArc
{
    /**
     * Batches received on device ports (ports in no network, {@code Dataplane.attachDevicePort}), before
     * ethernet-input (VPP's device-input features, enabled per interface): a feature claims its own ports'
     * frames here, such as a tunnel underlay's datagrams, which it decapsulates and hands on as frames of
     * the network's tunnel port. Batches of network ports start at ethernet-input and never visit it.
     * Ends at ethernet-input.
     */
    public static final String DEVICE_INPUT = "device-input";
    /**
     * Every frame of a network's port after learning, before the forwarding decision (l2-forward): a
     * feature that filters what two ports of one network send each other (the user rules on the bridged
     * path, which the router's arcs never see) checks frames here, and may answer one with a reset or an
     * ICMP error (tcp-reset and icmp-error come later). Ends at l2-forward.
     */
    public static final String L2_FORWARD_IN = "l2-forward-in";
    /**
     * Frames about to be flooded (broadcast, multicast, unknown unicast), after the forwarding decision: a
     * feature may answer one on the network's behalf instead, such as an ARP request for a remote endpoint
     * it knows (proxy ARP, VPP's l2 arp-term), so it never floods. Known unicast never comes here. Ends at
     * l2-flood.
     */
    public static final String L2_FLOOD_IN = "l2-flood-in";
    /**
     * IPv4 to a gateway MAC, validated by ip4-input, before the routing decision (netfilter's
     * PREROUTING): connection tracking, destination translation. Ends at ip4-lookup.
     */
    public static final String IP4_PREROUTING = "ip4-prerouting";
    /**
     * IPv4 for one of the switch's own addresses, before the core answers it (netfilter's INPUT):
     * services that punt to the control plane (DNS). Ends at ip4-local.
     */
    public static final String IP4_LOCAL = "ip4-local-in";
    /**
     * IPv4 routed and admitted by isolation, before the MAC rewrite (netfilter's POSTROUTING): new-flow
     * checks, source translation. Ends at ip4-rewrite.
     */
    public static final String IP4_POSTROUTING = "ip4-postrouting";
    /** Every frame that leaves toward a port, bridged or routed (VPP's l2-output / interface-output arc). Ends at interface-output. */
    public static final String L2_OUTPUT = "l2-output";

    /** The next-node name with which a feature node continues along its own arc. */
    public static final String NEXT = "(next on arc)";

    private FeatureArc()
    {
    }
}
