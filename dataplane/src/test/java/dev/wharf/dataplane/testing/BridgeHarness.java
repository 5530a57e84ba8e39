package dev.wharf.dataplane.testing;

import dev.wharf.dataplane.buffer.PacketBatch;
import dev.wharf.dataplane.config.DataplaneSnapshot;
import dev.wharf.dataplane.config.NetworkPolicy;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.config.PortBinding;
import dev.wharf.dataplane.graph.CounterLayout;
import dev.wharf.dataplane.graph.Node;
import dev.wharf.dataplane.graph.NodeGraph;
import dev.wharf.dataplane.graph.PacketTracer;
import dev.wharf.dataplane.graph.WorkerContext;
import dev.wharf.dataplane.table.FdbTable;
import dev.wharf.dataplane.table.NeighbourTable;
import dev.wharf.dataplane.port.MemoryPort;
import dev.wharf.dataplane.worker.Pipeline;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real bridge pipeline ({@link Pipeline#bridge()}) over {@link MemoryPort}s, driven one batch at a
 * time as a worker drives it (receive, run, flush, release), with a tracer that records each packet's
 * path through the nodes and the reason it was dropped, if it was.
 */
public final class BridgeHarness implements AutoCloseable
{
    public static final int DEFAULT_MTU = 1500;
    public static final int DEFAULT_MAC_LIMIT = 1024;

    private final NodeGraph graph;
    private final WorkerContext context;
    private final PacketBatch batch = new PacketBatch();
    private final List<NetworkState> networks = new ArrayList<>();
    private final List<PortBinding> ports = new ArrayList<>();
    private final List<MemoryPort> memoryPorts = new ArrayList<>();
    private final Recorder recorder = new Recorder();
    private DataplaneSnapshot snapshot;

    public BridgeHarness()
    {
        this(Pipeline.bridge());
    }

    /** A harness over another graph (the routed one with test NAT nodes, a smaller ICMP error budget). */
    public BridgeHarness(final NodeGraph graph)
    {
        this.graph = graph;
        this.context = new WorkerContext(0, graph.layout());
        graph.tracer(recorder);
        context.nowMs = 1_000;
    }

    /** What happened to each packet of one batch, in the order they were injected. */
    public record Outcome(List<String> path, String dropReason)
    {
        public boolean dropped()
        {
            return dropReason != null;
        }

        public String pathText()
        {
            return String.join(" > ", path);
        }

        public String lastNode()
        {
            return path.get(path.size() - 1);
        }
    }

    public int addNetwork(final String name, final String subnet, final int prefixLength, final String gatewayIp, final long gatewayMac)
    {
        return addNetwork(name, subnet, prefixLength, gatewayIp, gatewayMac, 65_536);
    }

    public int addNetwork(
        final String name, final String subnet, final int prefixLength, final String gatewayIp, final long gatewayMac, final int fdbMaxEntries)
    {
        final int index = networks.size();
        networks.add(new NetworkState(index, name, Fixture.ipv4Value(subnet), prefixLength, Fixture.ipv4Value(gatewayIp), gatewayMac,
            new FdbTable(fdbMaxEntries, CounterLayout.MAX_PORTS), new int[0]));
        snapshot = null;
        return index;
    }

    /** A container network with a policy (internal, icc). */
    public int addNetwork(final String name, final String subnet, final int prefixLength, final String gatewayIp, final long gatewayMac,
        final NetworkPolicy policy)
    {
        final int index = addNetwork(name, subnet, prefixLength, gatewayIp, gatewayMac);
        networks.set(index, networks.get(index).withPolicy(policy));
        return index;
    }

    /** Gives {@code network} this host's own address and MAC beside its gateway's. */
    public void hostAddress(final int network, final String ip, final long mac)
    {
        networks.set(network, networks.get(network).withHostAddress(Fixture.ipv4Value(ip), mac));
        snapshot = null;
    }

    /** The uplink network: the host's outside {@code address/prefixLength} at {@code mac}, and the outside router. */
    public int addUplink(final String address, final int prefixLength, final long mac, final String defaultGateway)
    {
        final int index = networks.size();
        final int ip = Fixture.ipv4Value(address);
        final int mask = -1 << (32 - prefixLength);
        networks.add(new NetworkState(index, "uplink", ip & mask, prefixLength, ip, mac, new FdbTable(65_536, CounterLayout.MAX_PORTS),
            new int[0], NetworkPolicy.DEFAULT, true, defaultGateway == null ? 0 : Fixture.ipv4Value(defaultGateway),
            new NeighbourTable(NeighbourTable.CAPACITY_DEFAULT), new long[0]));
        snapshot = null;
        return index;
    }

    /** Allows routing between two container networks, as Dataplane.connectNetworks does. */
    public void connect(final int a, final int b)
    {
        networks.set(a, networks.get(a).withConnection(b, true));
        networks.set(b, networks.get(b).withConnection(a, true));
        snapshot = null;
    }

    public NeighbourTable neighbours(final int network)
    {
        return networks.get(network).neighbours;
    }

    /** The usual test network: 10.0.0.0/24, gateway 10.0.0.1 at 02:42:0a:00:00:01. */
    public int addDefaultNetwork()
    {
        return addNetwork("net0", "10.0.0.0", 24, Frames.GATEWAY_IP, Frames.GATEWAY_MAC);
    }

    public int accessPort(final int network, final int vlan)
    {
        return port(network, false, vlan, new int[0], DEFAULT_MTU, DEFAULT_MAC_LIMIT);
    }

    public int trunkPort(final int network, final int... vlans)
    {
        return port(network, true, 0, vlans, DEFAULT_MTU, DEFAULT_MAC_LIMIT);
    }

    public int port(final int network, final boolean trunk, final int accessVlan, final int[] trunkVlans, final int mtu, final int macLimit)
    {
        final int id = ports.size();
        final MemoryPort port = new MemoryPort("mem" + id, mtu, PacketBatch.CAPACITY); // a batch at most is injected at a time
        memoryPorts.add(port);
        ports.add(new PortBinding(id, port, network, trunk, accessVlan, trunkVlans, mtu, macLimit));
        snapshot = null;
        return id;
    }

    /** Switches learning on {@code port} on or off. */
    public void learning(final int port, final boolean learns)
    {
        ports.set(port, ports.get(port).withLearning(learns));
        snapshot = null;
    }

    /** Binds {@code port} to {@code mac} and {@code ip}, as Dataplane.setPortSecurity does (with the static FDB entry). */
    public void secure(final int port, final long mac, final int ip)
    {
        final PortBinding binding = ports.get(port);
        ports.set(port, binding.withSecurity(mac, ip));
        networks.get(binding.network).fdb.addStatic(mac, binding.accessVlan, port);
        snapshot = null;
    }

    public DataplaneSnapshot snapshot()
    {
        if (snapshot == null)
        {
            final NetworkState[] states = new NetworkState[networks.size()];
            for (final NetworkState network : networks)
            {
                states[network.index] = network.withPorts(ports.stream().filter(p -> p.network == network.index).mapToInt(p -> p.id).toArray());
            }
            snapshot = new DataplaneSnapshot(1, states, ports.toArray(new PortBinding[0]), 1);
        }
        return snapshot;
    }

    /** Receives {@code frames} on {@code port} as one batch and runs it to completion. */
    public List<Outcome> send(final int port, final byte[]... frames)
    {
        assertTrue(frames.length <= PacketBatch.CAPACITY);
        final MemoryPort memoryPort = memoryPorts.get(port);
        for (final byte[] frame : frames)
        {
            memoryPort.inject(frame);
        }
        return run(port);
    }

    /** Sends one frame and returns what happened to it. */
    public Outcome sendOne(final int port, final byte[] frame)
    {
        return send(port, frame).get(0);
    }

    /** Sends one frame that arrives from peer {@code peer} of {@code port} (a port standing in for a tunnel). */
    public Outcome sendFromPeer(final int port, final byte[] frame, final int peer)
    {
        memoryPorts.get(port).inject(frame, 0, peer);
        return run(port).get(0);
    }

    /** The peers each frame {@link #sent} out of {@code port} went to. */
    public List<Integer> sentPeers(final int port)
    {
        return memoryPorts.get(port).sentPeers();
    }

    /** Sends one frame with offload metadata ({@link dev.wharf.dataplane.offload.OffloadInfo}), as a TAP port receives it. */
    public Outcome sendOne(final int port, final byte[] frame, final long offload)
    {
        memoryPorts.get(port).inject(frame, offload);
        return run(port).get(0);
    }

    private List<Outcome> run(final int port)
    {
        final MemoryPort memoryPort = memoryPorts.get(port);
        context.snapshot = snapshot();
        batch.clear();
        final int received = memoryPort.receive(batch, port, PacketBatch.CAPACITY);
        recorder.reset(received);
        graph.run(batch, context);
        context.flushDirty();
        memoryPort.releaseReceived();
        final List<Outcome> outcomes = new ArrayList<>(received);
        for (int i = 0; i < received; i++)
        {
            outcomes.add(new Outcome(List.copyOf(recorder.paths.get(i)), recorder.reasons[i]));
        }
        return outcomes;
    }

    public List<byte[]> sent(final int port)
    {
        return memoryPorts.get(port).sent();
    }

    public void clearSent()
    {
        for (final MemoryPort port : memoryPorts)
        {
            port.clearSent();
        }
    }

    public int portCount()
    {
        return ports.size();
    }

    public FdbTable fdb(final int network)
    {
        return networks.get(network).fdb;
    }

    /** The value of counter {@code node.error}; fails when no node declares that name. */
    public long counter(final String name)
    {
        final int id = graph.layout().errorId(name);
        assertTrue(id >= 0, "no counter named " + name);
        return context.counters.get(id);
    }

    public long portCounter(final int port, final int which)
    {
        return context.counters.get(graph.layout().portCounter(port, which));
    }

    public long nodePackets(final String node)
    {
        return context.counters.get(graph.layout().nodeCounter(graph.nodeId(node)));
    }

    public NodeGraph graph()
    {
        return graph;
    }

    public WorkerContext context()
    {
        return context;
    }

    public void nowMs(final long nowMs)
    {
        context.nowMs = nowMs;
    }

    @Override
    public void close()
    {
        for (final MemoryPort port : memoryPorts)
        {
            port.close();
        }
    }

    private final class Recorder implements PacketTracer
    {
        final List<List<String>> paths = new ArrayList<>();
        final String[] reasons = new String[PacketBatch.CAPACITY];

        void reset(final int count)
        {
            paths.clear();
            for (int i = 0; i < count; i++)
            {
                paths.add(new ArrayList<>());
                reasons[i] = null;
            }
        }

        @Override
        public void beforeNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
        {
            for (int k = 0; k < count; k++)
            {
                paths.get(packets[k]).add(node.name());
            }
        }

        @Override
        public void afterNode(final Node node, final PacketBatch batch, final int[] packets, final int count)
        {
            if (node.name().equals(NodeGraph.DROP_NODE))
            {
                for (int k = 0; k < count; k++)
                {
                    reasons[packets[k]] = graph.layout().errorName(batch.dropReason[packets[k]]);
                }
            }
        }
    }
}
