package dev.wharf.nat;


import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Connection tracking and NAT for one dataplane: the connection table, the published ports, user
 * rules and per-network masquerade the nodes read (each an immutable list swapped through a volatile reference), the
 * nodes each worker's pipeline gets, expiry, and what the control plane lists and flushes.
 *
 * <p>Threads: the workers run the nodes; the control plane calls {@link #publishedPorts},
 * {@link #rules}, {@link #list}, {@link #count}, {@link #flush} and {@link #recentFailures} from any
 * thread; one housekeeping thread calls {@link #expire}.
 */
public final class NatService
{
    /** Expiry visits the whole table in about this long, whatever its size. */
    static final long FULL_SWEEP_MS = 1_000;
    private static final int MIN_SWEEP_SLICE = 1_024;

    private final NatConfiguration configuration;
    private final ConntrackTable table;
    private final ConntrackExpiry expiry;
    private final List<FailureRing> failureRings = new CopyOnWriteArrayList<>();
    private final List<MarkCounters> markCounters = new CopyOnWriteArrayList<>();
    private volatile PublishedPortIndex publishedPorts = PublishedPortIndex.EMPTY;
    private volatile UserRule[] rules = new UserRule[0];
    private volatile VirtualServices virtualServices = VirtualServices.NONE;
    /** Bit n set: network n does not masquerade (copy-on-write, swapped whole). */
    private volatile long[] noMasquerade = new long[0];
    private final NatFeature feature = new NatFeature(this);
    private final Object expiryLock = new Object();
    private long lastExpireMs = Long.MIN_VALUE;

    public NatService(final NatConfiguration configuration)
    {
        this.configuration = configuration;
        this.table = new ConntrackTable(configuration.maxFlows());
        this.expiry = new ConntrackExpiry(table, FULL_SWEEP_MS);
    }

    public NatConfiguration configuration()
    {
        return configuration;
    }

    /** This service's nodes as a feature of the pipeline, for {@code Pipeline.withFeatures}. */
    public NatFeature feature()
    {
        return feature;
    }

    /** A worker's ring of failed connection set-ups, listed by {@link #recentFailures}. */
    FailureRing newFailureRing()
    {
        final FailureRing failures = new FailureRing();
        failureRings.add(failures);
        return failures;
    }

    /**
     * Whether connections from network {@code network} (a dataplane network index) that leave through
     * the uplink are masqueraded to the uplink's address (Docker's {@code enable_ip_masquerade}): on
     * unless {@link #masquerade} turned it off. Read by the workers, once per new connection.
     */
    public boolean masquerades(final int network)
    {
        final long[] off = noMasquerade;
        final int word = network >>> 6;
        return word >= off.length || (off[word] & (1L << (network & 63))) == 0;
    }

    /** Turns masquerade on or off for network {@code network}; connections already tracked keep their translation. */
    public synchronized void masquerade(final int network, final boolean on)
    {
        final long[] bits = java.util.Arrays.copyOf(noMasquerade, Math.max(noMasquerade.length, (network >>> 6) + 1));
        if (on)
        {
            bits[network >>> 6] &= ~(1L << (network & 63));
        }
        else
        {
            bits[network >>> 6] |= 1L << (network & 63);
        }
        noMasquerade = bits;
    }

    /** A worker's counters of marked flows, summed by {@link #markTotals}. */
    MarkCounters newMarkCounters()
    {
        final MarkCounters counters = new MarkCounters();
        markCounters.add(counters);
        return counters;
    }

    /**
     * The packets and bytes of flows marked {@code mark} since the dataplane started, summed over the workers
     * ({@link MarkCounters#PACKETS_IN}..{@link MarkCounters#BYTES_OUT} into {@code into[0..3]}); any thread.
     */
    public void markTotals(final int mark, final long[] into)
    {
        java.util.Arrays.fill(into, 0, MarkCounters.COUNTERS, 0);
        for (final MarkCounters counters : markCounters)
        {
            for (int c = 0; c < MarkCounters.COUNTERS; c++)
            {
                into[c] += counters.get(mark, c);
            }
        }
    }

    /** The workers' expiry, run by each worker's ip4-nat-in once per duty cycle. */
    public ConntrackExpiry expiry()
    {
        return expiry;
    }

    /** The connection table (benchmarks and tests fill it directly; the load balancer shares it). */
    public ConntrackTable table()
    {
        return table;
    }

    PublishedPortIndex publishedPortIndex()
    {
        return publishedPorts;
    }

    UserRule[] userRules()
    {
        return rules;
    }

    /** Replaces the published ports; connections already set up keep their translation. */
    public void publishedPorts(final List<PublishedPort> ports)
    {
        publishedPorts = ports.isEmpty() ? PublishedPortIndex.EMPTY : new PublishedPortIndex(ports);
    }

    /** The published ports in force. */
    public List<PublishedPort> publishedPorts()
    {
        return publishedPorts.ports();
    }

    /** The virtual services ip4-nat-in asks about new flows (the load balancer); {@link VirtualServices#NONE} for none. */
    public void virtualServices(final VirtualServices services)
    {
        virtualServices = services == null ? VirtualServices.NONE : services;
    }

    VirtualServices virtualServices()
    {
        return virtualServices;
    }

    /**
     * Ends the tracked flows {@code matcher} chooses, from the calling (control) thread: a TCP flow is put
     * in {@link ConnectionState#RESET}, so that its next segment, from either end, is answered with a reset
     * and the flow removed (its ends learn at once, as Linux's conntrack kill of a masqueraded address
     * makes them); any other flow is removed, so that its next packet is a new flow (scheduled afresh).
     *
     * @return flows ended.
     */
    public int endFlows(final FlowMatcher matcher)
    {
        int ended = 0;
        for (int flow = 0; flow < table.capacity(); flow++)
        {
            final long generationAndState = table.generationAndState(flow);
            final int generation = (int)(generationAndState >>> 32);
            if ((generation & 1) == 0)
            {
                continue;
            }
            final long op = table.originalPorts(flow);
            final int word = (int)generationAndState;
            if (!matcher.matches(table.originalAddresses(flow), op, table.replyAddresses(flow), table.replyPorts(flow), word) ||
                table.generation(flow) != generation)
            {
                continue;
            }
            if (FlowKey.protocol(op) == dev.wharf.dataplane.protocol.Ipv4Flyweight.PROTOCOL_TCP)
            {
                if (ConnectionState.of(word) != ConnectionState.RESET &&
                    table.compareAndSetState(flow, generationAndState, ConnectionState.with(word, ConnectionState.RESET)))
                {
                    // gone by itself soon if neither end sends again
                    final long closesAt = dev.wharf.dataplane.worker.MonotonicClock.nowMs() + Timeouts.TCP_CLOSE.millis();
                    table.expiresAtMs(flow, Math.min(table.expiresAtMs(flow), closesAt));
                    ended++;
                }
            }
            else if (table.remove(flow, generation))
            {
                ended++;
            }
        }
        return ended;
    }

    /** Replaces the user rules; only connections set up afterwards see them. */
    public void rules(final List<UserRule> rules)
    {
        this.rules = rules.toArray(new UserRule[0]);
    }

    /** Connections tracked now. */
    public int count()
    {
        return table.size();
    }

    /** Up to {@code limit} tracked connections, times left measured from now. */
    public List<FlowView> list(final int limit)
    {
        return list(limit, dev.wharf.dataplane.worker.MonotonicClock.nowMs());
    }

    /** Up to {@code limit} tracked connections, times left measured from {@code nowMs} (the workers' clock). */
    public List<FlowView> list(final int limit, final long nowMs)
    {
        final List<FlowView> flows = new ArrayList<>();
        for (int flow = 0; flow < table.capacity() && flows.size() < limit; flow++)
        {
            final int generation = table.generation(flow);
            if ((generation & 1) == 0)
            {
                continue;
            }
            final long oa = table.originalAddresses(flow);
            final long op = table.originalPorts(flow);
            final long ra = table.replyAddresses(flow);
            final long rp = table.replyPorts(flow);
            final int state = table.state(flow);
            final long expiresAt = table.expiresAtMs(flow);
            if (table.generation(flow) != generation)
            {
                continue; // removed or replaced while read
            }
            flows.add(new FlowView(FlowKey.protocol(op), ConnectionState.name(state), ConnectionState.isAssured(state),
                FlowKey.zone(op), FlowKey.source(oa), FlowKey.sourcePort(op), FlowKey.destination(oa), FlowKey.destinationPort(op),
                FlowKey.zone(rp), FlowKey.source(ra), FlowKey.sourcePort(rp), FlowKey.destination(ra), FlowKey.destinationPort(rp),
                Math.max(0, expiresAt - nowMs)));
        }
        return flows;
    }

    /** Removes every tracked connection. @return how many. */
    public int flush()
    {
        return table.clear();
    }

    /** The latest connections that could not be set up, newest first (at most a few dozen). */
    public List<NatFailure> recentFailures()
    {
        final List<NatFailure> all = new ArrayList<>();
        for (final FailureRing ring : failureRings)
        {
            ring.collect(all);
        }
        all.sort(Comparator.comparingLong(NatFailure::atMs).reversed());
        return all.size() > FailureRing.CAPACITY ? List.copyOf(all.subList(0, FailureRing.CAPACITY)) : all;
    }

    /**
     * Removes expired connections a slice at a time, from the calling thread (tests, tools). The daemon
     * does not call it: its workers expire the table themselves through {@link #expiry()}. The slice is sized from the time since the previous call so that a whole pass over the table takes
     * about {@value #FULL_SWEEP_MS} ms; every removal locks only the two buckets of the flow it removes.
     */
    public int expire(final long nowMs)
    {
        synchronized (expiryLock)
        {
            final long elapsedMs = lastExpireMs == Long.MIN_VALUE ? 100 : Math.max(0, nowMs - lastExpireMs);
            lastExpireMs = nowMs;
            final long capacity = table.capacity();
            final long slice = Math.min(capacity, Math.max(Math.min(capacity, MIN_SWEEP_SLICE), capacity * elapsedMs / FULL_SWEEP_MS));
            return table.sweep(nowMs, (int)slice);
        }
    }
}
