package dev.wharf.nat;

import dev.wharf.dataplane.testing.BridgeHarness;
import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Tshark;
import dev.wharf.dataplane.worker.Pipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The NAT nodes in the whole routed pipeline (ip4-lookup, icmp-error... the real ones), fed scapy's
 * frames: what the two halves do together.
 */
class NatRoutedPathTest
{
    private static final long UPLINK_MAC = 0x02_42_AC_12_00_01L; // the fixtures' gateway MAC
    private static final long FRONT_GW_MAC = 0x02_42_AC_12_00_FEL;
    private static final long C1_MAC = 0x02_42_AC_12_00_02L;

    private final NatService service = new NatService(NatConfiguration.defaults());
    private final BridgeHarness router = new BridgeHarness(Pipeline.compose(0, List.of(service.feature())));

    @AfterEach
    void close()
    {
        router.close();
    }

    @Test
    void anErrorWharfMakesAboutAPublishedPortsPacketQuotesItAsItArrived(@TempDir final Path directory)
    {
        final int uplink = router.addUplink("203.0.113.10", 24, UPLINK_MAC, "203.0.113.1");
        final int front = router.addNetwork("front", "172.18.0.0", 16, "172.18.0.1", FRONT_GW_MAC);
        final int up = router.accessPort(uplink, 0);
        final int c1 = router.accessPort(front, 0);
        router.neighbours(front).learn(NatHarness.C1, C1_MAC, router.context().nowMs);
        router.fdb(front).learn(C1_MAC, 0, c1, router.context().nowMs, 1024);
        service.publishedPorts(List.of(new PublishedPort(0, 5353, 17, front, NatHarness.C1, 53)));
        final byte[] sent = Fixture.frame("nat_udp_ttl1_x_published");

        final BridgeHarness.Outcome outcome = router.sendOne(up, sent);

        assertFalse(outcome.dropped(), outcome.toString());
        assertEquals(1, router.counter("ip4-forward.ttl-expired"));
        assertEquals(1, router.sent(up).size(), "the error goes back out of the uplink");
        final byte[] error = router.sent(up).get(0);
        // the quote is the datagram as X sent it, byte for byte: to the uplink address and the published
        // port, not to the container (DNAT undone, checksums with it), so X's kernel can match it to a socket
        final byte[] datagram = Arrays.copyOfRange(sent, 14, sent.length);
        assertArrayEquals(datagram, Arrays.copyOfRange(error, 42, 42 + datagram.length));

        Tshark.require();
        final List<List<String>> rows = Tshark.fields(directory, List.of(error),
            "ip.src", "ip.dst", "ip.checksum.status", "icmp.type", "icmp.checksum.status", "udp.dstport", "udp.checksum.status");
        assertEquals(List.of("203.0.113.10,192.0.2.50", "192.0.2.50,203.0.113.10", "1,1", "11", "1", "5353", "1"), rows.get(0));
    }
}
