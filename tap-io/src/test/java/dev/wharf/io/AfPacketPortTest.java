package dev.wharf.io;

import dev.wharf.dataplane.port.Port;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The port contract on AF_PACKET ports bound to the host ends of veth pairs. */
final class AfPacketPortTest extends PortContractTest
{
    @Override
    Endpoint attach(final String side, final String ip, final PortOptions options) throws PortException
    {
        final String namespace = topology.namespace(side);
        final String host = topology.name(side);
        final String peer = topology.name(side + "p");
        topology.veth(host, peer, namespace, ip + "/24");
        return new Endpoint(AfPacket.open(host, 1, options), namespace, peer, ip);
    }

    @Test
    void isAvailableAsRoot()
    {
        assertTrue(AfPacket.isAvailable(), () -> String.valueOf(AfPacket.unavailabilityCause()));
    }

    @Test
    void namesAMissingInterface()
    {
        final PortException ex = assertThrows(PortException.class, () -> Ports.openAfPacket("wta-missing", 1));
        assertEquals("interface wta-missing does not exist", ex.getMessage());
    }

    @Test
    void seesTheMtuOfTheLink() throws Exception
    {
        final Endpoint a = open("a", "10.77.0.1", PortOptions.DEFAULT);
        Shell.run("ip", "link", "set", a.port().name(), "mtu", "1400");
        assertEquals(1400, a.port().mtu());
    }

    @Test
    void sharesAnInterfaceBetweenWorkersThroughFanout() throws Exception
    {
        final String namespace = topology.namespace("a");
        final String host = topology.name("a");
        topology.veth(host, topology.name("ap"), namespace, "10.77.0.1/24");
        try (AfPacketPort port = AfPacket.open(host, 2, PortOptions.DEFAULT))
        {
            assertEquals(2, port.workers());
            assertTrue(port.fanoutGroup() >= 0);
            assertTrue(port.queue(0).pollDescriptor() != port.queue(1).pollDescriptor());
            try (Port second = AfPacket.open(host, 2, PortOptions.DEFAULT))
            {
                assertTrue(((AfPacketPort)second).fanoutGroup() != port.fanoutGroup(), "each port has its own fanout group");
            }
        }
    }
}
