package dev.wharf.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store over TLS to an etcd that asks for client certificates ({@code --client-cert-auth}), as a production cluster runs it. */
class EtcdClusterStoreTlsTest
{
    private static TestPki pki;
    private static LocalEtcd etcd;

    @BeforeAll
    static void start() throws Exception
    {
        final LocalEtcd server = new LocalEtcd(); // refuses to run without the binary first, as the other tests do
        pki = TestPki.create();
        etcd = server.withTls(pki).start();
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (etcd != null)
        {
            etcd.close();
        }
        if (pki != null)
        {
            try (Stream<Path> files = Files.walk(pki.directory()))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aClientWithTheCaAndACertificateItSignedReadsAndWrites()
    {
        try (EtcdClusterStore store = EtcdClusterStore.connect(etcd.address(),
            new ClusterTls(pki.ca(), pki.clientCertificate(), pki.clientKey()), Duration.ofSeconds(5)))
        {
            store.put("/w/hosts/a", "tls", 0);
            assertEquals("tls", store.get("/w/hosts/a").orElseThrow().value());
        }
    }

    @Test
    void aClientWithoutACertificateIsRefusedWithinTheTimeoutNamingTheStore()
    {
        try (EtcdClusterStore store = EtcdClusterStore.connect(etcd.address(), new ClusterTls(pki.ca(), null, null), Duration.ofSeconds(2)))
        {
            final ClusterStoreException e = assertThrows(ClusterStoreException.class, () -> store.get("/w/hosts/a"));
            assertTrue(e.getMessage().contains(etcd.address().toString()), e.getMessage());
        }
    }

    @Test
    void plainTextToATlsStoreFailsInsteadOfHanging()
    {
        try (EtcdClusterStore store = EtcdClusterStore.connect(etcd.address(), null, Duration.ofSeconds(2)))
        {
            assertThrows(ClusterStoreException.class, () -> store.get("/w/hosts/a"));
        }
    }
}
