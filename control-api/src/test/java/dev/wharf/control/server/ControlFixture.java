package dev.wharf.control.server;

import dev.wharf.control.state.NetworkSection;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;

/**
 * A control plane over a real, unstarted {@link Dataplane} (tests drive its worker by hand when
 * they need traffic) and a {@link FakePortOpener}, with the four gRPC services around it.
 */
final class ControlFixture implements AutoCloseable
{
    final FakePortOpener opener = new FakePortOpener().withInterfaces("veth-c1", "veth-c2", "veth-c3", "veth-b1");
    final Dataplane dataplane = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));
    final ControlPlane plane = ControlPlane.inMemory(dataplane, opener);
    final NetworkService networks = new NetworkService(plane.networks(), plane.ports());
    final PortService ports = new PortService(plane.ports());
    final FdbService fdb = new FdbService(plane.views());
    final StatsService stats = new StatsService(plane.views());

    /** The networks section of the desired state now. */
    NetworkSection networkState()
    {
        return NetworkSection.of(plane.state());
    }

    @Override
    public void close()
    {
        dataplane.close();
    }
}
