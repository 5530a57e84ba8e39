package dev.wharf.dataplane.graph;

/**
 * The names of the core pipeline's nodes, in one place, so a node names its next nodes without
 * importing their classes (the packages of the core stay free of cycles). Feature modules name the
 * core nodes they send to (icmp-error, interface-output) through these too, never through a class.
 */
public final class CoreNodes
{
    public static final String ETHERNET_INPUT = "ethernet-input";
    public static final String PORT_SECURITY = "port-security";
    public static final String L2_LEARN = "l2-learn";
    public static final String L2_FORWARD = "l2-forward";
    public static final String L2_FLOOD = "l2-flood";
    public static final String ARP_INPUT = "arp-input";
    public static final String IP4_INPUT = "ip4-input";
    public static final String IP4_LOOKUP = "ip4-lookup";
    public static final String IP4_ISOLATION = "ip4-isolation";
    public static final String IP4_FORWARD = "ip4-forward";
    public static final String IP4_LOCAL = "ip4-local";
    public static final String ICMP_ECHO = "icmp-echo";
    public static final String TCP_RESET = "tcp-reset";
    public static final String IP4_REWRITE = "ip4-rewrite";
    public static final String IP4_ARP = "ip4-arp";
    public static final String ICMP_ERROR = "icmp-error";
    public static final String INTERFACE_OUTPUT = "interface-output";
    public static final String ERROR_DROP = NodeGraph.DROP_NODE;

    private CoreNodes()
    {
    }
}
