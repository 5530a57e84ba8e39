package dev.wharf.control.server;

import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.SectionKey;
import dev.wharf.dataplane.worker.Dataplane;
import io.grpc.BindableService;

import java.util.List;

/**
 * The core feature: networks and their connections ({@link NetworkController}) and the ports attached
 * to them with their reconciler ({@link PortController}), sharing the {@link NetworkSection};
 * {@code wharf.v1.NetworkService} and {@code wharf.v1.PortService}. Every other feature builds on it.
 * Built and driven by {@link ControlPlane}.
 */
public final class NetworkFeature implements Feature
{
    private final NetworkController networks;
    private final PortController ports;

    public NetworkFeature(final StateTransaction transaction, final IdMap ids, final Dataplane dataplane, final PortOpener opener)
    {
        this.networks = new NetworkController(transaction, ids, dataplane);
        this.ports = new PortController(transaction, ids, dataplane, opener, networks);
    }

    public NetworkController networks()
    {
        return networks;
    }

    public PortController ports()
    {
        return ports;
    }

    @Override
    public List<SectionKey<?>> sections()
    {
        return List.of(NetworkSection.KEY);
    }

    /** The networks and their connections first, then the ports against them. */
    @Override
    public void check(final DesiredState saved)
    {
        networks.check(saved);
        ports.check(saved);
    }

    /** The networks and their connections first, then the ports, which need their networks. */
    @Override
    public void restore(final DesiredState saved)
    {
        networks.restore(saved);
        ports.restore(saved);
    }

    @Override
    public void reconcile()
    {
        ports.reconcile();
    }

    @Override
    public List<BindableService> services()
    {
        return List.of(new NetworkService(networks, ports), new PortService(ports));
    }
}
