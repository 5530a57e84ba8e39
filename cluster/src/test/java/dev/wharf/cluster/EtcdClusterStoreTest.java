package dev.wharf.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store against a real etcd (Debian's etcd-server on loopback). */
class EtcdClusterStoreTest
{
    private LocalEtcd etcd;
    private EtcdClusterStore store;

    @BeforeEach
    void start() throws Exception
    {
        etcd = new LocalEtcd().start();
        store = EtcdClusterStore.connect(etcd.address(), null, Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() throws Exception
    {
        if (store != null)
        {
            store.close();
        }
        if (etcd != null)
        {
            etcd.close();
        }
    }

    @Test
    void createAllIsAllOrNothingAndOnlyWhenEveryKeyIsAbsent()
    {
        assertTrue(store.createAll(Map.of("/w/networks/a", "1", "/w/vnis/7", "a"), 0));
        assertFalse(store.createAll(Map.of("/w/networks/b", "2", "/w/vnis/7", "b"), 0), "VNI 7 is a's: nothing of b is written");
        assertTrue(store.get("/w/networks/b").isEmpty());
        assertEquals("a", store.get("/w/vnis/7").orElseThrow().value());
        assertEquals(2, store.read("/w/").entries().size());
    }

    @Test
    void keysUnderARevokedLeaseAreGoneAndAnExpiredLeaseSaysSoOnRenewalAndOnWrites() throws Exception
    {
        final long lease = store.grantLease(Duration.ofSeconds(2));
        store.put("/w/hosts/h1", "x", lease);
        assertTrue(store.keepAlive(lease));
        assertEquals(lease, store.get("/w/hosts/h1").orElseThrow().lease());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.get("/w/hosts/h1").isPresent() && System.nanoTime() < deadline)
        {
            Thread.sleep(200);
        }
        assertTrue(store.get("/w/hosts/h1").isEmpty(), "the key went with its lease");
        assertFalse(store.keepAlive(lease), "an expired lease cannot be renewed");
        final LeaseExpiredException put = assertThrows(LeaseExpiredException.class, () -> store.put("/w/hosts/h1", "x", lease),
            "a write under an expired lease says the lease is gone, not that the store is away");
        assertTrue(put.getMessage().contains("no longer has the lease"), put.getMessage());
        assertThrows(LeaseExpiredException.class, () -> store.createAll(Map.of("/w/endpoints/e1", "x"), lease));
        assertTrue(store.get("/w/endpoints/e1").isEmpty());

        final long second = store.grantLease(Duration.ofSeconds(30));
        store.put("/w/hosts/h2", "y", second);
        store.revokeLease(second);
        assertTrue(store.get("/w/hosts/h2").isEmpty());
    }

    @Test
    void commitIfChangesEveryKeyOnlyWhileEachExpectedKeyHoldsItsValue()
    {
        final Map<String, String> absent = new HashMap<>();
        absent.put("/w/s/1", null);
        absent.put("/w/s/claim", null);
        assertTrue(store.commitIf(absent, Map.of("/w/s/1", "v1", "/w/s/claim", "c"), 0), "both absent: both written");
        assertFalse(store.commitIf(absent, Map.of("/w/s/1", "other"), 0), "no longer absent");
        assertFalse(store.commitIf(Map.of("/w/s/1", "stale"), Map.of("/w/s/1", "v2"), 0), "a value that changed meanwhile");
        assertEquals("v1", store.get("/w/s/1").orElseThrow().value(), "a refused commit changes nothing");
        assertTrue(store.commitIf(Map.of("/w/s/1", "v1"), Map.of("/w/s/1", "v2"), 0));
        final Map<String, String> deletes = new HashMap<>();
        deletes.put("/w/s/1", null);
        deletes.put("/w/s/claim", null);
        assertTrue(store.commitIf(Map.of("/w/s/1", "v2"), deletes, 0), "deletes in the same transaction");
        assertTrue(store.get("/w/s/1").isEmpty() && store.get("/w/s/claim").isEmpty(), "both gone");
    }

    @Test
    void aWatchFromARevisionSeesEveryLaterChangeInOrder() throws Exception
    {
        final long revision = store.read("/w/").revision();
        store.put("/w/e/1", "a", 0);
        store.put("/w/e/2", "b", 0);
        store.delete("/w/e/1");
        assertTrue(store.deleteIfValue("/w/e/2", "b"));
        assertFalse(store.deleteIfValue("/w/e/2", "b"), "gone already");
        final List<ClusterStore.Change> seen = new ArrayList<>();
        final CountDownLatch four = new CountDownLatch(4);
        try (AutoCloseable ignored = store.watch("/w/", revision + 1, new ClusterStore.WatchListener()
        {
            @Override
            public void onChanges(final long at, final List<ClusterStore.Change> changes)
            {
                synchronized (seen)
                {
                    seen.addAll(changes);
                }
                changes.forEach(c -> four.countDown());
            }

            @Override
            public void onFailure(final ClusterStoreException failure, final boolean compacted)
            {
            }
        }))
        {
            assertTrue(four.await(10, TimeUnit.SECONDS), "four changes: " + seen);
        }
        assertEquals(List.of(new ClusterStore.Change("/w/e/1", "a", 0), new ClusterStore.Change("/w/e/2", "b", 0),
            new ClusterStore.Change("/w/e/1", null, 0), new ClusterStore.Change("/w/e/2", null, 0)), seen);
    }

    @Test
    void aStoreThatIsGoneIsReportedWithinTheTimeoutNamingIt() throws Exception
    {
        store.put("/w/x", "1", 0);
        etcd.stop();
        final long start = System.nanoTime();
        final ClusterStoreException e = assertThrows(ClusterStoreException.class, () -> store.put("/w/x", "2", 0));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "bounded by the timeout");
        assertTrue(e.getMessage().contains(etcd.address().toString()), e.getMessage());
    }

    @Test
    void addressesAreParsedOrRefusedWithWhatWasExpected()
    {
        assertEquals(List.of("10.0.0.1:2379", "h:23"), ClusterAddress.parse("etcd://10.0.0.1,h:23").endpoints());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterAddress.parse("http://x:1")).getMessage().contains("etcd://HOST:PORT"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterAddress.parse("etcd://x:99999")).getMessage().contains("port 1 to 65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterAddress.parse("etcd://x:,y")).getMessage().contains("not a port"));
    }
}
