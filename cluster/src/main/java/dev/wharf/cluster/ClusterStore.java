package dev.wharf.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's shared key-value store as Wharf uses it: string keys under one prefix, revisions,
 * leases, all-or-nothing creates and watches from a revision. etcd's v3 model ({@link EtcdClusterStore});
 * a single host keeps its state in its own state file and needs none of this.
 *
 * <p>Every call blocks for at most the store's timeout and throws {@link ClusterStoreException} when the
 * store cannot be reached or answers an error; nothing is retried behind the caller's back except what
 * the client does within that time. Thread-safe.
 */
public interface ClusterStore extends AutoCloseable
{
    /** One key as read: its value, the revision it was last changed at, and the lease it lives under (0: none). */
    record Entry(String key, String value, long modRevision, long lease)
    {
    }

    /** Every key under a prefix as of {@code revision}. */
    record Snapshot(long revision, List<Entry> entries)
    {
    }

    /** A change a watch reports: a put ({@code value} set, under {@code lease}, 0: none) or a delete ({@code value} null). */
    record Change(String key, String value, long lease)
    {
        public boolean isDelete()
        {
            return value == null;
        }
    }

    /** Receives a watch's changes, on the client's thread; it must not block. */
    interface WatchListener
    {
        /** The changes of one revision or more, up to {@code revision}, in order. */
        void onChanges(long revision, List<Change> changes);

        /** The watch ended: the store went away, or {@code compacted} (the revision asked for is gone: read everything again). */
        void onFailure(ClusterStoreException failure, boolean compacted);
    }

    /** Grants a lease that expires {@code ttl} after the last keep-alive; returns its id. */
    long grantLease(Duration ttl);

    /** Renews {@code lease}; false when it has expired already (its keys are gone). */
    boolean keepAlive(long lease);

    /** Revokes {@code lease}, deleting the keys under it. */
    void revokeLease(long lease);

    /** Every key under {@code prefix}, with the store's revision. */
    Snapshot read(String prefix);

    /** One key, if it exists. */
    Optional<Entry> get(String key);

    /** Puts every entry of {@code entries} (under {@code lease}, 0: none) only if none of their keys exists; true when it did. */
    boolean createAll(Map<String, String> entries, long lease);

    /** Puts {@code key} (under {@code lease}, 0: none), whatever it held. */
    void put(String key, String value, long lease);

    /**
     * In one transaction: makes every change of {@code changes} (a value puts its key under {@code lease}, 0: none; a null
     * value deletes it) only if every key of {@code expected} holds its value (null: the key is absent); true when it did.
     * A compare-and-swap over several keys, for records that more than one host changes.
     */
    boolean commitIf(Map<String, String> expected, Map<String, String> changes, long lease);

    /** Deletes {@code key} only if it still holds {@code value}; true when it did. */
    boolean deleteIfValue(String key, String value);

    /** Deletes {@code key}; nothing when it is absent. */
    void delete(String key);

    /** Watches every key under {@code prefix} from {@code fromRevision} on; close the result to stop. */
    AutoCloseable watch(String prefix, long fromRevision, WatchListener listener);

    /** Where the store is, as the user gave it. */
    String describe();

    @Override
    void close();
}
