package dev.wharf.bench.cluster;

import dev.wharf.cluster.ClusterStore;

import java.time.Duration;

/**
 * The other hosts of the benchmark's cluster, as records in etcd: one registered host, "bench-peer",
 * under a lease, holding endpoints on network {@code ov} whose MAC and address follow their number.
 * Written in the layout of {@code cluster.proto}, as the daemons' agents write them.
 */
final class FakeHosts
{
    private static final String HOST = "bench-peer";
    private static final String VTEP = "10.201.0.9";

    private final ClusterStore store;
    private final String prefix;
    private final long lease;

    FakeHosts(final ClusterStore store, final String prefix)
    {
        this.store = store;
        this.prefix = prefix;
        this.lease = store.grantLease(Duration.ofMinutes(30));
        store.put(prefix + "hosts/" + HOST, "{\"host\":\"" + HOST + "\",\"underlay\":\"" + VTEP + "\",\"version\":\"bench\"}", lease);
    }

    /** Endpoint {@code n}: MAC 02:99:00:00:hi:lo, address 10.60.(1 + n / 250).(2 + n % 250). */
    void addEndpoint(final int n)
    {
        final String mac = String.format("02:99:00:00:%02x:%02x", (n >> 8) & 0xFF, n & 0xFF);
        final String ip = "10.60." + (1 + n / 250) + "." + (2 + n % 250);
        store.put(prefix + "endpoints/ov/" + HOST + "/p" + n, "{\"network\":\"ov\",\"host\":\"" + HOST + "\",\"port\":\"p" + n +
            "\",\"mac\":\"" + mac + "\",\"ip\":\"" + ip + "\",\"vtep\":\"" + VTEP + "\"}", lease);
    }
}
