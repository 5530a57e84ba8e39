package dev.wharf.control.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.wharf.control.api.v1.PersistedConnection;
import dev.wharf.control.api.v1.PersistedNetwork;
import dev.wharf.control.api.v1.PersistedPort;
import dev.wharf.control.api.v1.PersistedPublish;
import dev.wharf.control.api.v1.PersistedRule;
import dev.wharf.control.api.v1.PersistedState;
import dev.wharf.control.api.v1.PersistedUplink;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.protocol.MacAddress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps the {@link DesiredState} in {@code STATE_DIR/state.json} (protobuf JSON of
 * {@code wharf.v1.PersistedState}). A save writes a temporary file, forces it to disk, renames it
 * over the old one and forces the directory, so a crash leaves either the old state or the new,
 * never a torn file. A file that cannot be read or makes no sense is reported, never replaced.
 *
 * <p>Called by the control plane under its lock; not thread-safe itself.
 */
public final class StateStore
{
    public static final String FILE_NAME = "state.json";
    public static final int FORMAT_VERSION = 1;

    private final Path directory;
    private final Path file;

    public StateStore(final Path directory)
    {
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
    }

    public Path file()
    {
        return file;
    }

    /** Creates the directory (mode 0700 when new) and checks it is writable. */
    public void prepare() throws StateFileException
    {
        try
        {
            if (!Files.isDirectory(directory))
            {
                Files.createDirectories(directory);
                try
                {
                    Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
                catch (final UnsupportedOperationException ignored)
                {
                    // not a POSIX file system: keep the default mode
                }
            }
            if (!Files.isWritable(directory))
            {
                throw new StateFileException(directory, "the state directory is not writable");
            }
        }
        catch (final IOException e)
        {
            throw new StateFileException(directory, "cannot create the state directory: " + e.getMessage(), e);
        }
    }

    /** The saved state, or {@link DesiredState#EMPTY} when there is no file yet. */
    public DesiredState load() throws StateFileException
    {
        if (!Files.exists(file))
        {
            return DesiredState.EMPTY;
        }
        final String json;
        try
        {
            json = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            throw new StateFileException(file, "cannot read: " + e.getMessage(), e);
        }
        final PersistedState.Builder persisted = PersistedState.newBuilder();
        try
        {
            JsonFormat.parser().merge(json, persisted);
        }
        catch (final InvalidProtocolBufferException | RuntimeException e)
        {
            throw new StateFileException(file, "not a valid state file: " + firstLine(e.getMessage()), e);
        }
        if (persisted.getFormatVersion() != FORMAT_VERSION)
        {
            throw new StateFileException(file, "format version " + persisted.getFormatVersion() + " is not supported (expected " +
                FORMAT_VERSION + ")");
        }
        return toState(persisted.build());
    }

    /** Writes {@code state} atomically. */
    public void save(final DesiredState state) throws StateFileException
    {
        final Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try
        {
            final byte[] bytes = (JsonFormat.printer().print(toPersisted(state)) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try
            {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException e)
            {
                throw new StateFileException(file, "the file system cannot rename atomically", e);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
            {
                dir.force(true);
            }
        }
        catch (final IOException e)
        {
            throw new StateFileException(file, "cannot write: " + e.getMessage(), e);
        }
    }

    private static PersistedState toPersisted(final DesiredState state)
    {
        final PersistedState.Builder out = PersistedState.newBuilder().setFormatVersion(FORMAT_VERSION);
        for (final NetworkSpec network : state.networks())
        {
            out.addNetworks(PersistedNetwork.newBuilder()
                .setName(network.name())
                .setSubnet(network.subnet().toString())
                .setGateway(Ipv4Address.toString(network.gateway()))
                .setGatewayMac(MacAddress.toString(network.gatewayMac()))
                .setMacLimit(network.macLimit())
                .setInternal(network.internal())
                .setIcc(network.icc())
                .setMasquerade(network.masquerade()));
        }
        for (final PortSpec port : state.ports())
        {
            final PersistedPort.Builder p = PersistedPort.newBuilder()
                .setName(port.name())
                .setNetwork(port.network())
                .setKind(port.kind().label())
                .setVlan(port.vlan())
                .addAllTrunkVlans(port.trunkVlans())
                .setMacLimit(port.macLimit());
            if (port.hasIp())
            {
                p.setIp(Ipv4Address.toString(port.ip()));
            }
            if (port.hasMac())
            {
                p.setMac(MacAddress.toString(port.mac()));
            }
            out.addPorts(p);
        }
        final UplinkSpec uplink = state.uplink();
        if (uplink != null)
        {
            out.setUplink(PersistedUplink.newBuilder()
                .setInterface(uplink.interfaceName())
                .setAddress(uplink.addressText())
                .setGateway(Ipv4Address.toString(uplink.gateway())));
        }
        for (final ConnectionSpec connection : state.connections())
        {
            out.addConnections(PersistedConnection.newBuilder().setNetwork(connection.network()).setOther(connection.other()));
        }
        for (final PublishSpec publish : state.published())
        {
            out.addPublished(PersistedPublish.newBuilder()
                .setNetwork(publish.network())
                .setContainerIp(Ipv4Address.toString(publish.containerIp()))
                .setContainerPort(publish.containerPort())
                .setHostIp(Ipv4Address.toString(publish.hostIp()))
                .setHostPort(publish.hostPort())
                .setProtocol(publish.protocol().label()));
        }
        for (final RuleSpec rule : state.rules())
        {
            out.addRules(PersistedRule.newBuilder()
                .setId(rule.id())
                .setAction(rule.action())
                .setSource(rule.source().toString())
                .setDestination(rule.destination().toString())
                .setProtocol(rule.protocol().label())
                .setPortFrom(rule.portFrom())
                .setPortTo(rule.portTo()));
        }
        out.setNextRuleId(state.nextRuleId());
        return out.build();
    }

    private DesiredState toState(final PersistedState persisted) throws StateFileException
    {
        DesiredState state = DesiredState.EMPTY;
        for (final PersistedNetwork n : persisted.getNetworksList())
        {
            final String where = "network \"" + n.getName() + "\"";
            if (n.getName().isEmpty() || state.network(n.getName()) != null)
            {
                throw new StateFileException(file, where + " has no name or appears twice");
            }
            state = state.withNetwork(new NetworkSpec(n.getName(), cidr(n.getSubnet(), where), ip(n.getGateway(), where),
                mac(n.getGatewayMac(), where), n.getMacLimit(), n.getInternal(), !n.hasIcc() || n.getIcc(),
                !n.hasMasquerade() || n.getMasquerade()));
        }
        for (final PersistedPort p : persisted.getPortsList())
        {
            final String where = "port \"" + p.getName() + "\"";
            if (p.getName().isEmpty() || state.port(p.getName()) != null)
            {
                throw new StateFileException(file, where + " has no name or appears twice");
            }
            if (state.network(p.getNetwork()) == null)
            {
                throw new StateFileException(file, where + " names network \"" + p.getNetwork() + "\", which the file does not define");
            }
            final PortKind kind = kind(p.getKind(), where);
            state = state.withPort(new PortSpec(p.getName(), p.getNetwork(), kind,
                p.getIp().isEmpty() ? PortSpec.NO_IP : ip(p.getIp(), where),
                p.getMac().isEmpty() ? PortSpec.NO_MAC : mac(p.getMac(), where),
                p.getVlan(), p.getTrunkVlansList(), p.getMacLimit()));
        }
        if (persisted.hasUplink())
        {
            final PersistedUplink u = persisted.getUplink();
            final String where = "uplink \"" + u.getInterface() + "\"";
            final String address = u.getAddress();
            final int slash = address.indexOf('/');
            if (u.getInterface().isEmpty() || slash < 0)
            {
                throw new StateFileException(file, where + " has no interface or no address/prefix");
            }
            final int prefix;
            try
            {
                prefix = Integer.parseInt(address.substring(slash + 1));
            }
            catch (final NumberFormatException e)
            {
                throw new StateFileException(file, where + " has a bad address \"" + address + "\"");
            }
            state = state.withUplink(new UplinkSpec(u.getInterface(), ip(address.substring(0, slash), where), prefix, ip(u.getGateway(), where)));
        }
        for (final PersistedConnection c : persisted.getConnectionsList())
        {
            if (state.network(c.getNetwork()) == null || state.network(c.getOther()) == null)
            {
                throw new StateFileException(file, "connection " + c.getNetwork() + " <-> " + c.getOther() + " names a network the file does not define");
            }
            state = state.withConnection(new ConnectionSpec(c.getNetwork(), c.getOther()));
        }
        for (final PersistedPublish p : persisted.getPublishedList())
        {
            final String where = "published port " + p.getHostIp() + ":" + p.getHostPort() + "/" + p.getProtocol();
            if (state.network(p.getNetwork()) == null)
            {
                throw new StateFileException(file, where + " names network \"" + p.getNetwork() + "\", which the file does not define");
            }
            final Protocol protocol = Protocol.byLabel(p.getProtocol());
            if (protocol == null || !protocol.hasPorts())
            {
                throw new StateFileException(file, where + " has unknown protocol \"" + p.getProtocol() + "\"");
            }
            state = state.withPublished(new PublishSpec(p.getNetwork(), ip(p.getContainerIp(), where), p.getContainerPort(),
                p.getHostIp().isEmpty() ? PublishSpec.ANY_HOST : ip(p.getHostIp(), where), p.getHostPort(), protocol));
        }
        for (final PersistedRule r : persisted.getRulesList())
        {
            final String where = "rule " + r.getId();
            final Protocol protocol = Protocol.byLabel(r.getProtocol().isEmpty() ? "any" : r.getProtocol());
            if (protocol == null || !("allow".equals(r.getAction()) || "deny".equals(r.getAction())))
            {
                throw new StateFileException(file, where + " has an unknown action or protocol");
            }
            state = state.withRule(state.rules().size(), new RuleSpec(r.getId(), "allow".equals(r.getAction()),
                cidr(r.getSource(), where), cidr(r.getDestination(), where), protocol, r.getPortFrom(), r.getPortTo()));
        }
        return state.withNextRuleId(persisted.getNextRuleId());
    }

    private PortKind kind(final String label, final String where) throws StateFileException
    {
        for (final PortKind kind : PortKind.values())
        {
            if (kind.label().equals(label))
            {
                return kind;
            }
        }
        throw new StateFileException(file, where + " has unknown kind \"" + label + "\"");
    }

    private Cidr cidr(final String text, final String where) throws StateFileException
    {
        final int slash = text.indexOf('/');
        try
        {
            if (slash < 0)
            {
                throw new IllegalArgumentException("no prefix length");
            }
            return new Cidr(Ipv4Address.parse(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
        }
        catch (final IllegalArgumentException e)
        {
            throw new StateFileException(file, where + " has a bad subnet \"" + text + "\": " + e.getMessage());
        }
    }

    private int ip(final String text, final String where) throws StateFileException
    {
        try
        {
            return Ipv4Address.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new StateFileException(file, where + ": " + e.getMessage());
        }
    }

    private long mac(final String text, final String where) throws StateFileException
    {
        try
        {
            return MacAddress.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new StateFileException(file, where + ": " + e.getMessage());
        }
    }

    private static String firstLine(final String message)
    {
        if (message == null)
        {
            return "unreadable";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
