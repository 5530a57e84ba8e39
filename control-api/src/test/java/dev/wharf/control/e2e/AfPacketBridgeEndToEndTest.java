package dev.wharf.control.e2e;

/** The bridge suite over AF_PACKET ports on the host ends of veth pairs. */
class AfPacketBridgeEndToEndTest extends BridgeEndToEndTest
{
    @Override
    String prefix()
    {
        return "wtea";
    }

    @Override
    void wire()
    {
        p1 = topology.container(c1, topology.name("h1"), "10.10.0.2/24", "10.10.0.1");
        p2 = topology.container(c2, topology.name("h2"), "10.10.0.3/24", "10.10.0.1");
        p3 = topology.container(c3, topology.name("h3"), "10.10.0.4/24", "10.10.0.1");
        p4 = topology.container(c4, topology.name("h4"), "10.20.0.2/24", "10.20.0.1");
        wharf.ok("port", "attach", "front", p1, "--ip", "10.10.0.2");
        wharf.ok("port", "attach", "front", p2, "--ip", "10.10.0.3");
        wharf.ok("port", "attach", "front", p3, "--ip", "10.10.0.4");
        wharf.ok("port", "attach", "back", p4, "--ip", "10.20.0.2");
    }

    @Override
    boolean startsQuiet()
    {
        return true;
    }

    @Override
    String iface(final String ns)
    {
        return "eth0";
    }
}
