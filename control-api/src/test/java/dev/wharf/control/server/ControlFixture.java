package dev.wharf.control.server;

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
    final SwitchController controller = new SwitchController(dataplane, opener);
    final NetworkService networks = new NetworkService(controller);
    final PortService ports = new PortService(controller);
    final FdbService fdb = new FdbService(controller);
    final StatsService stats = new StatsService(controller);

    @Override
    public void close()
    {
        dataplane.close();
    }
}
