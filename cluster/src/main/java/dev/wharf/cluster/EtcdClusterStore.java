package dev.wharf.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;

import io.grpc.Status;
import javax.net.ssl.SSLException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The {@link ClusterStore} on etcd's v3 API through jetcd, the official Java client. Every request
 * waits at most the timeout it was built with; the client's own retries are bounded by the same time,
 * so a store that is gone is reported within it instead of hanging a command.
 */
public final class EtcdClusterStore implements ClusterStore
{
    private final Client client;
    private final String description;
    private final long timeoutMillis;

    private EtcdClusterStore(final Client client, final String description, final Duration timeout)
    {
        this.client = client;
        this.description = description;
        this.timeoutMillis = timeout.toMillis();
    }

    /** A client of the etcd at {@code address} (TLS when {@code tls} is not null); it connects on first use. */
    public static EtcdClusterStore connect(final ClusterAddress address, final ClusterTls tls, final Duration timeout)
    {
        final ClientBuilder builder = Client.builder().endpoints(address.uris(tls != null).toArray(new java.net.URI[0]))
            .connectTimeout(timeout).retryMaxDuration(timeout).keepaliveTime(Duration.ofSeconds(5)).keepaliveTimeout(timeout);
        if (tls != null)
        {
            try
            {
                builder.sslContext(ssl ->
                {
                    ssl.trustManager(tls.ca().toFile());
                    if (tls.certificate() != null)
                    {
                        ssl.keyManager(tls.certificate().toFile(), tls.key().toFile());
                    }
                });
            }
            catch (final SSLException | IllegalArgumentException e)
            {
                throw new ClusterStoreException("cannot use the TLS files for the cluster store: " + e.getMessage(), e);
            }
        }
        return new EtcdClusterStore(builder.build(), address.toString(), timeout);
    }

    @Override
    public long grantLease(final Duration ttl)
    {
        return await(client.getLeaseClient().grant(Math.max(1, ttl.toSeconds())), "grant a lease").getID();
    }

    @Override
    public boolean keepAlive(final long lease)
    {
        try
        {
            return await(client.getLeaseClient().keepAliveOnce(lease), "renew the lease").getTTL() > 0;
        }
        catch (final LeaseExpiredException e)
        {
            return false;
        }
    }

    @Override
    public void revokeLease(final long lease)
    {
        await(client.getLeaseClient().revoke(lease), "revoke the lease");
    }

    @Override
    public Snapshot read(final String prefix)
    {
        final GetResponse response = await(client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()),
            "read " + prefix);
        final List<Entry> entries = new ArrayList<>(response.getKvs().size());
        response.getKvs().forEach(kv -> entries.add(entry(kv)));
        return new Snapshot(response.getHeader().getRevision(), entries);
    }

    @Override
    public Optional<Entry> get(final String key)
    {
        final GetResponse response = await(client.getKVClient().get(bytes(key)), "read " + key);
        return response.getKvs().isEmpty() ? Optional.empty() : Optional.of(entry(response.getKvs().get(0)));
    }

    @Override
    public boolean createAll(final Map<String, String> entries, final long lease)
    {
        final Cmp[] absent = entries.keySet().stream().map(k -> new Cmp(bytes(k), Cmp.Op.EQUAL, CmpTarget.version(0))).toArray(Cmp[]::new);
        final PutOption option = PutOption.builder().withLeaseId(lease).build();
        final Op[] puts = entries.entrySet().stream().map(e -> Op.put(bytes(e.getKey()), bytes(e.getValue()), option)).toArray(Op[]::new);
        return await(client.getKVClient().txn().If(absent).Then(puts).commit(), "create " + String.join(", ", entries.keySet())).isSucceeded();
    }

    @Override
    public void put(final String key, final String value, final long lease)
    {
        await(client.getKVClient().put(bytes(key), bytes(value), PutOption.builder().withLeaseId(lease).build()), "write " + key);
    }

    @Override
    public boolean commitIf(final Map<String, String> expected, final Map<String, String> changes, final long lease)
    {
        final Cmp[] holds = expected.entrySet().stream().map(e -> e.getValue() == null ?
            new Cmp(bytes(e.getKey()), Cmp.Op.EQUAL, CmpTarget.version(0)) :
            new Cmp(bytes(e.getKey()), Cmp.Op.EQUAL, CmpTarget.value(bytes(e.getValue())))).toArray(Cmp[]::new);
        final PutOption option = PutOption.builder().withLeaseId(lease).build();
        final Op[] ops = changes.entrySet().stream().map(e -> e.getValue() == null ? Op.delete(bytes(e.getKey()), DeleteOption.DEFAULT) :
            Op.put(bytes(e.getKey()), bytes(e.getValue()), option)).toArray(Op[]::new);
        return await(client.getKVClient().txn().If(holds).Then(ops).commit(), "change " + String.join(", ", changes.keySet())).isSucceeded();
    }

    @Override
    public boolean deleteIfValue(final String key, final String value)
    {
        final Cmp same = new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.value(bytes(value)));
        return await(client.getKVClient().txn().If(same).Then(Op.delete(bytes(key), DeleteOption.DEFAULT)).commit(), "delete " + key)
            .isSucceeded();
    }

    @Override
    public void delete(final String key)
    {
        await(client.getKVClient().delete(bytes(key)), "delete " + key);
    }

    @Override
    public AutoCloseable watch(final String prefix, final long fromRevision, final WatchListener listener)
    {
        final WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
        final Watch.Watcher watcher = client.getWatchClient().watch(bytes(prefix), option, Watch.listener(
            response -> listener.onChanges(response.getHeader().getRevision(), changes(response)),
            failure -> listener.onFailure(new ClusterStoreException("the watch of " + prefix + " on " + description + " ended: " +
                failure.getMessage(), failure), failure instanceof CompactedException)));
        return watcher::close;
    }

    private static List<Change> changes(final WatchResponse response)
    {
        final List<Change> changes = new ArrayList<>(response.getEvents().size());
        for (final WatchEvent event : response.getEvents())
        {
            final String key = event.getKeyValue().getKey().toString(UTF_8);
            final boolean put = event.getEventType() == WatchEvent.EventType.PUT;
            changes.add(new Change(key, put ? event.getKeyValue().getValue().toString(UTF_8) : null, put ? event.getKeyValue().getLease() : 0));
        }
        return changes;
    }

    @Override
    public String describe()
    {
        return description;
    }

    @Override
    public void close()
    {
        client.close();
    }

    private <T> T await(final CompletableFuture<T> future, final String what)
    {
        try
        {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException e)
        {
            future.cancel(true);
            throw new ClusterStoreException("the cluster store " + description + " did not answer within " + timeoutMillis + " ms (" + what + ")", e);
        }
        catch (final ExecutionException e)
        {
            final Throwable cause = e.getCause() == null ? e : e.getCause();
            if (isNotFound(cause))
            {
                // etcd answers NOT_FOUND only for a lease it no longer has ("requested lease not found")
                throw new LeaseExpiredException("the cluster store " + description + " no longer has the lease (" + what + "): " +
                    cause.getMessage(), cause);
            }
            throw new ClusterStoreException("the cluster store " + description + " refused to " + what + ": " + cause.getMessage(), cause);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ClusterStoreException("interrupted while waiting for the cluster store (" + what + ")", e);
        }
    }

    /** jetcd reports a lease's NOT_FOUND as its own exception from the lease client, as gRPC's status from the KV client. */
    private static boolean isNotFound(final Throwable cause)
    {
        if (cause instanceof EtcdException etcd)
        {
            return etcd.getErrorCode() == ErrorCode.NOT_FOUND;
        }
        return Status.fromThrowable(cause).getCode() == Status.Code.NOT_FOUND;
    }

    private static Entry entry(final KeyValue kv)
    {
        return new Entry(kv.getKey().toString(UTF_8), kv.getValue().toString(UTF_8), kv.getModRevision(), kv.getLease());
    }

    private static ByteSequence bytes(final String text)
    {
        return ByteSequence.from(text, UTF_8);
    }
}
