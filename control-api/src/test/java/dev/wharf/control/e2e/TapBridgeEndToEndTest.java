package dev.wharf.control.e2e;

/** The bridge suite over TAP devices that Wharf creates and the test moves into the namespaces. */
class TapBridgeEndToEndTest extends BridgeEndToEndTest
{
    @Override
    String prefix()
    {
        return "wtet";
    }

    @Override
    void wire()
    {
        p1 = attachTap("front", c1, "t1", "10.10.0.2", "10.10.0.1");
        p2 = attachTap("front", c2, "t2", "10.10.0.3", "10.10.0.1");
        p3 = attachTap("front", c3, "t3", "10.10.0.4", "10.10.0.1");
        p4 = attachTap("back", c4, "t4", "10.20.0.2", "10.20.0.1");
    }

    private String attachTap(final String network, final String ns, final String suffix, final String ip, final String gateway)
    {
        final String tap = topology.name(suffix);
        wharf.ok("port", "attach", network, tap, "--tap", "--ip", ip);
        topology.adoptTap(ns, tap, ip + "/24", gateway);
        return tap;
    }

    @Override
    boolean startsQuiet()
    {
        return false;
    }

    @Override
    String iface(final String ns)
    {
        return ns.equals(c1) ? p1 : ns.equals(c2) ? p2 : ns.equals(c3) ? p3 : p4;
    }
}
