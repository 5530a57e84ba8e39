package dev.wharf.io;

import dev.wharf.dataplane.testing.Await;
import dev.wharf.dataplane.testing.GatedPort;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A detached AF_PACKET or TAP port keeps its descriptors and its mapped ring (or buffer pool) while a
 * worker still holds frames that live there: the worker is held mid-batch, inside a send to another port,
 * with a frame that it received on the detached port in its batch; after it goes on, it reads that frame
 * out of the ring intact (an unmapped ring would fault), and only then is the port closed. Uses namespaces
 * named {@code wtr-*}; waits are bounded and nothing asserts on time.
 */
final class PortRetirementTest
{
    private static final long BOUND_MS = 10_000;
    private static final int ETHERTYPE_TEST = AfPacketPortTest.ETHERTYPE_TEST;
    private static final String FAKE_MAC = "02:00:00:00:77:01";
    private static final int SUBNET = 0x0A4D0000;

    private final Topology topology = new Topology("wtr");
    private final GatedPort held = new GatedPort("held");
    private Dataplane dataplane;

    @BeforeEach
    void setUp()
    {
        Privileges.requireRoot();
        dataplane = new Dataplane(DataplaneConfiguration.defaults().withIdleStrategies(Ports::pollIdleStrategy));
    }

    @AfterEach
    void tearDown()
    {
        held.open();
        if (dataplane != null)
        {
            dataplane.close();
        }
        topology.close();
    }

    @Test
    void aDetachedAfPacketPortKeepsItsRingWhileAWorkerHoldsItsFrames() throws Exception
    {
        final String namespace = topology.namespace("a");
        final String host = topology.name("a");
        final String peer = topology.name("ap");
        topology.veth(host, peer, namespace, "10.77.0.1/24");
        final AfPacketPort port = AfPacket.open(host, 1, PortOptions.DEFAULT);

        holdThenRetire(port, namespace, peer);
    }

    @Test
    void aDetachedTapPortKeepsItsDescriptorWhileAWorkerHoldsItsFrames() throws Exception
    {
        final String namespace = topology.namespace("t");
        final String name = topology.name("t");
        final TapPort port = Tap.open(name, 1, PortOptions.DEFAULT);
        Shell.run("ip", "link", "set", name, "netns", namespace);
        topology.configure(namespace, name, "10.77.0.1/24");

        holdThenRetire(port, namespace, name);
        assertTrue(Shell.tryRun(20, Shell.inNamespace(namespace, "ip", "link", "show", name)).exit() != 0,
            "the TAP device wharf created went with the port");
    }

    private void holdThenRetire(final KernelPort port, final String namespace, final String link) throws Exception
    {
        final int network = dataplane.addNetwork("n", SUBNET, 24, SUBNET | 1, 0x02420a4d0001L);
        dataplane.attachPort(network, held, false, 0, new int[0], 0);
        final int id = dataplane.attachPort(network, port, false, 0, new int[0], 0);
        dataplane.start();
        held.holdNextSend(PortRetirementTest::isTestFrame);

        final String payload = "wharf-retire-" + topology.token;
        Shell.run(Shell.inNamespace(namespace, PortContractTest.PYTHON, "-c",
            "import socket\n" +
            "s=socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('" + link + "', 0))\n" +
            "f=bytes.fromhex('" + FAKE_MAC.replace(":", "") + "')+bytes.fromhex('" + topology.mac(namespace, link).replace(":", "") +
            "')+bytes.fromhex('" + Integer.toHexString(ETHERTYPE_TEST) + "')+b'" + payload + "'+bytes(30)\n" +
            "[s.send(f) for _ in range(3)]\n"));
        assertTrue(held.awaitHeld(BOUND_MS), "the worker received the test frame on " + port + " and reached the held send");

        assertFalse(dataplane.detachPort(id, 50), "detach returns while the worker holds the port's frame");
        assertFalse(port.isClosed(), "the port's descriptor and memory stay while the worker can still read them");
        assertEquals(0, dataplane.reclaimRetired());
        assertFalse(port.isClosed());

        held.open();
        awaitUntil(port::isClosed, "the port is closed once the worker let go");
        assertEquals(0, dataplane.retiringPorts());
        final byte[] frame = held.sent().stream().filter(PortRetirementTest::isTestFrame).findFirst().orElseThrow();
        assertArrayEquals(payload.getBytes(), Arrays.copyOfRange(frame, 14, 14 + payload.length()),
            "the frame the worker read out of the detached port's memory after the detach is intact");
    }

    private static boolean isTestFrame(final byte[] frame)
    {
        return frame.length > 14 && Frames.u16(frame, 12) == ETHERTYPE_TEST;
    }

    private static void awaitUntil(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        Await.until(condition, BOUND_MS, what);
    }
}
