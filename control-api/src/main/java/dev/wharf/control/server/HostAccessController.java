package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.dataplane.port.Port;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.io.PortException;
import io.grpc.BindableService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.wharf.control.server.Inputs.quote;

/**
 * Host access: the host reaches the containers on Wharf's networks, as a Docker host reaches its
 * containers through docker0. The daemon creates the TAP device {@value #INTERFACE}, gives the host
 * kernel {@value #HOST_TEXT}/30 on it, and makes it the one port of a network of Wharf's own,
 * {@value #NETWORK} ({@value #GATEWAY_TEXT} is Wharf's side), connected to every network; the kernel
 * gets a route to each network's subnet through it. So the host's own tools (curl, the load balancer's
 * health checks) reach any container, and a container reaches the host at {@value #HOST_TEXT}. Nothing of
 * it is kept in the state file: the daemon sets it up at start (unless {@code --host-access false}) and
 * the kernel drops the device and its routes when the daemon ends.
 */
public final class HostAccessController implements Feature, NetworkController.Dependent
{
    public static final String INTERFACE = "wharf0";
    public static final String NETWORK = "host-access";
    static final String GATEWAY_TEXT = "169.254.42.1";
    static final String HOST_TEXT = "169.254.42.2";
    public static final Cidr SUBNET = new Cidr(Ipv4Address.parse("169.254.42.0"), 30);
    private static final int GATEWAY = Ipv4Address.parse(GATEWAY_TEXT);
    private static final int HOST = Ipv4Address.parse(HOST_TEXT);
    private static final Logger LOG = LoggerFactory.getLogger(HostAccessController.class);

    private final StateTransaction transaction;
    private final IdMap ids;
    private final Dataplane dataplane;
    private final PortOpener opener;
    private final HostKernel kernel;
    /** The networks there are, by dataplane index: each gets a route and a connection once host access is up. */
    private final Map<Integer, Cidr> networks = new LinkedHashMap<>();
    private int network = -1;
    private int port = -1;
    private String downReason = "not started";

    public HostAccessController(
        final StateTransaction transaction, final IdMap ids, final Dataplane dataplane, final PortOpener opener, final HostKernel kernel,
        final NetworkController networkController)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.dataplane = dataplane;
        this.opener = opener;
        this.kernel = kernel;
        networkController.register(this);
    }

    @Override
    public List<BindableService> services()
    {
        return List.of();
    }

    /** Whether the host reaches the networks now, or why not. */
    public String status()
    {
        return transaction.locked(() -> network >= 0 ? "up (" + INTERFACE + " " + HOST_TEXT + ", via " + GATEWAY_TEXT + ")" : "down: " + downReason);
    }

    @Override
    public void checkCreate(final Cidr subnet)
    {
        if (subnet.overlaps(SUBNET))
        {
            throw ControlException.precondition("subnet " + subnet + " overlaps host access's " + SUBNET + " (" + INTERFACE + ")");
        }
    }

    @Override
    public void onAdded(final NetworkSpec spec, final int index)
    {
        networks.put(index, spec.subnet());
        if (network >= 0)
        {
            reach(index, spec.subnet());
        }
    }

    @Override
    public void onRemoving(final String name, final int index)
    {
        final Cidr subnet = networks.remove(index);
        if (network >= 0 && subnet != null)
        {
            try
            {
                kernel.deleteRoute(subnet.network(), subnet.prefixLength(), GATEWAY, INTERFACE);
            }
            catch (final PortException e)
            {
                LOG.warn("host access: {}", e.getMessage());
            }
        }
    }

    /** Brings host access up after the networks were restored. */
    @Override
    public void restore(final dev.wharf.control.state.DesiredState saved)
    {
        transaction.locked(this::bringUp);
    }

    private void bringUp()
    {
        final Port tap;
        try
        {
            tap = opener.openTap(INTERFACE, dataplane.workerCount());
        }
        catch (final PortException e)
        {
            downReason = "cannot create " + quote(INTERFACE) + ": " + Inputs.oneLine(e.getMessage());
            LOG.warn("host access is down: {}", downReason);
            return;
        }
        final int index = dataplane.addNetwork(NETWORK, SUBNET.network(), SUBNET.prefixLength(), GATEWAY, GatewayMacs.derive(NETWORK, Set.of()));
        try
        {
            port = dataplane.attachPort(index, tap, false, 0, new int[0], 0);
            kernel.assignAddress(INTERFACE, HOST, SUBNET.prefixLength());
        }
        catch (final PortException | RuntimeException e)
        {
            if (port >= 0)
            {
                dataplane.detachPort(port);
                port = -1;
            }
            else
            {
                tap.close();
            }
            dataplane.removeNetwork(index);
            downReason = Inputs.oneLine(e.getMessage());
            LOG.warn("host access is down: {}", downReason);
            return;
        }
        network = index;
        ids.nameNetwork(index, NETWORK);
        ids.namePort(port, INTERFACE);
        networks.forEach(this::reach);
        downReason = null;
        LOG.info("host access: {} {} reaches {} networks through {}", INTERFACE, HOST_TEXT, networks.size(), GATEWAY_TEXT);
    }

    /** Connects network {@code index} with host access and routes its subnet through it. */
    private void reach(final int index, final Cidr subnet)
    {
        dataplane.connectNetworks(network, index, true);
        try
        {
            kernel.addRoute(subnet.network(), subnet.prefixLength(), GATEWAY, INTERFACE);
        }
        catch (final PortException e)
        {
            LOG.warn("host access: {}", e.getMessage());
        }
    }
}
