package dev.wharf.control.server;

import dev.wharf.cluster.ClusterStore;
import dev.wharf.control.api.v1.ClusterEndpointRecord;
import dev.wharf.control.api.v1.ClusterDrainedBackend;
import dev.wharf.control.api.v1.ClusterHostRecord;
import dev.wharf.control.api.v1.ClusterServiceRecord;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.Protocol;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mirror of the cluster store: what a full read and the watch's changes leave, and how a value that is no record is kept out. */
class ClusterMirrorTest
{
    private final ClusterKeys keys = new ClusterKeys("/wharf/");
    private final ClusterMirror mirror = new ClusterMirror(keys);

    private ClusterStore.Entry endpoint(final String host, final String port, final String mac, final String ip, final String vtep)
    {
        final String json = ClusterRecords.json(ClusterEndpointRecord.newBuilder().setNetwork("ov").setHost(host).setPort(port).setMac(mac)
            .setIp(ip).setVtep(vtep).build());
        return new ClusterStore.Entry(keys.endpoint("ov", host, port), json, 7, 0x55);
    }

    @Test
    void theOtherHostsEndpointsAreProgrammedByVtepAndOnesWithoutAMacOnlyFlood()
    {
        mirror.reset(new ClusterStore.Snapshot(9, List.of(
            endpoint("a", "p1", "02:42:0a:32:00:02", "10.50.0.2", "10.200.0.1"),
            endpoint("b", "p1", "02:42:0a:32:00:03", "10.50.0.3", "10.200.0.2"),
            endpoint("b", "p2", "", "10.50.0.4", "10.200.0.2"),
            endpoint("c", "p1", "", "", "10.200.0.3"))));

        final Map<Integer, Map<Long, Integer>> remote = mirror.remoteEndpoints("ov", "a");

        assertEquals(Map.of(
            Ipv4Address.parse("10.200.0.2"), Map.of(MacAddress.parse("02:42:0a:32:00:03"), Ipv4Address.parse("10.50.0.3")),
            Ipv4Address.parse("10.200.0.3"), Map.of()), remote);
        assertEquals(List.of("b", "c"), mirror.otherHostsOn("ov", "a"));
        assertEquals(2, mirror.endpointsOf("b"));
        assertTrue(mirror.remoteEndpoints("other", "a").isEmpty());
    }

    @Test
    void watchedChangesAddAndRemoveAndAValueThatIsNoRecordIsLeftOutAsAProblem()
    {
        mirror.reset(new ClusterStore.Snapshot(1, List.of()));
        final String host = ClusterRecords.json(ClusterHostRecord.newBuilder().setHost("b").setUnderlay("10.200.0.2").build());
        mirror.apply(new ClusterStore.Change(keys.host("b"), host, 0x66));
        mirror.apply(new ClusterStore.Change(keys.endpoint("ov", "b", "p1"), "{not json", 0x66));
        mirror.apply(new ClusterStore.Change(keys.endpoint("ov", "b", "p2"),
            endpoint("b", "p2", "zz:zz", "", "10.200.0.2").value(), 0x66));

        assertEquals(0x66, mirror.hosts().get("b").lease());
        assertTrue(mirror.endpoints().isEmpty(), "neither malformed endpoint is mirrored: " + mirror.endpoints());
        assertEquals(2, mirror.unreadable().size(), mirror.unreadable().toString());

        mirror.apply(new ClusterStore.Change(keys.endpoint("ov", "b", "p1"), endpoint("b", "p1", "", "", "10.200.0.2").value(), 0x66));
        mirror.apply(new ClusterStore.Change(keys.host("b"), null, 0));
        assertEquals(1, mirror.endpoints().size());
        assertEquals(1, mirror.unreadable().size(), "a good value replaces the bad one's problem");
        assertTrue(mirror.hosts().isEmpty());
    }

    private static LbSection.Service web(final String vip)
    {
        return new LbSection.Service(new LbSection.Address(Ipv4Address.parse(vip), 80, Protocol.TCP), "wrr", 0, "web",
            List.of(new LbSection.Backend(Ipv4Address.parse("10.50.0.11"), 8080, 2)), null, LbSection.Service.NAT, false);
    }

    private ClusterStore.Change serviceChange(final String keyAddress, final LbSection.Service service)
    {
        final ClusterServiceRecord record = ClusterServiceRecord.newBuilder().setService(LbSection.record(service)).setChangedBy("b")
            .addDrained(ClusterDrainedBackend.newBuilder().setAddress("10.50.0.12").setPort(8080).setDrainSeconds(30)).build();
        return new ClusterStore.Change(keys.service(keyAddress), ClusterRecords.json(record), 0);
    }

    @Test
    void aServiceRecordIsMirroredWithItsDrainsAndOneFiledUnderAnotherAddressIsLeftOut()
    {
        mirror.reset(new ClusterStore.Snapshot(1, List.of()));
        final LbSection.Service web = web("10.50.0.100");

        mirror.apply(serviceChange("10.50.0.100:80/tcp", web));
        mirror.apply(serviceChange("10.50.0.101:80/tcp", web("10.50.0.100")));
        mirror.apply(new ClusterStore.Change(keys.service("10.50.0.102:80/tcp"), "{\"service\": 3}", 0));

        assertEquals(Map.of("10.50.0.100:80/tcp", new ClusterMirror.SharedService(web, Map.of("10.50.0.12:8080", 30))), mirror.services());
        final List<String> problems = mirror.unreadable();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("not of its key's 10.50.0.101:80/tcp"), problems.get(0));

        mirror.apply(new ClusterStore.Change(keys.service("10.50.0.100:80/tcp"), null, 0));
        assertTrue(mirror.services().isEmpty());
    }

    @Test
    void aPrefixMustBeAPathOfItsOwn()
    {
        for (final String bad : List.of("", "wharf/", "/wharf", "//", "/a//b/", "/w h/"))
        {
            assertThrows(IllegalArgumentException.class, () -> new ClusterKeys(bad), bad);
        }
        assertEquals("/team-a/wharf/networks/ov", new ClusterKeys("/team-a/wharf/").network("ov"));
    }
}
