package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.Protocol;
import dev.wharf.control.state.PublishSpec;
import dev.wharf.control.state.UplinkSection;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.config.NetworkState;
import dev.wharf.dataplane.protocol.Ipv4Address;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import dev.wharf.nat.FlowView;
import dev.wharf.nat.NatFailure;
import dev.wharf.nat.PublishedPort;
import dev.wharf.nat.UserRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller's routing and NAT state against a real dataplane and a {@link NatControl} that
 * records: what reaches the dataplane and NAT, restore after a restart, and refusals that leave
 * nothing behind.
 */
class RoutingAndNatControlTest
{
    @TempDir
    Path directory;

    private final FakePortOpener opener = new FakePortOpener().withInterfaces("veth-up", "veth-c1");
    private final Dataplane first = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));
    private final Dataplane second = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));

    @AfterEach
    void close()
    {
        first.close();
        second.close();
    }

    private static Cidr cidr(final String network, final int prefix)
    {
        return new Cidr(Ipv4Address.parse(network), prefix);
    }

    private static int ip(final String text)
    {
        return Ipv4Address.parse(text);
    }

    private static NetworkState network(final Dataplane dataplane, final String name)
    {
        for (int i = 0; i < dataplane.snapshot().networkSlots(); i++)
        {
            final NetworkState network = dataplane.snapshot().network(i);
            if (network != null && network.name.equals(name) && !network.uplink)
            {
                return network;
            }
        }
        throw new AssertionError("no network " + name);
    }

    @Test
    void everythingIsRestoredInOrderAfterARestart()
    {
        final NatControl.Detached nat = NatControl.detached();
        final ControlPlane controller = ControlPlane.create(first, opener, directory, nat);
        controller.networks().create("front", cidr("10.10.0.0", 24), 0, 0);
        controller.networks().create("back", cidr("10.20.0.0", 24), 0, 0);
        controller.networks().create("pvlan", cidr("10.40.0.0", 24), 0, 0, new NetworkController.Flags(false, false, true));
        controller.uplink().set(new UplinkSpec("veth-up", ip("10.99.0.2"), 24, ip("10.99.0.1")));
        controller.networks().connect("front", "back");
        controller.nat().publish(new PublishSpec("front", ip("10.10.0.3"), 80, PublishSpec.ANY_HOST, 8080, Protocol.TCP));
        controller.nat().addRule(false, cidr("10.10.0.0", 24), cidr("0.0.0.0", 0), Protocol.TCP, 25, 25, 0);
        assertEquals("reject", controller.nat().addRule("reject", cidr("10.10.0.2", 32), cidr("10.10.0.3", 32), Protocol.UDP, 53, 53, 0).action());
        final int frontIndex = network(first, "front").index;
        assertEquals(List.of(new PublishedPort(0, 8080, 6, frontIndex, ip("10.10.0.3"), 80)), nat.publishedPorts());
        assertEquals(List.of(new UserRule(false, ip("10.10.0.0"), 24, 0, 0, 6, 25, 25),
            new UserRule(false, ip("10.10.0.2"), 32, ip("10.10.0.3"), 32, 17, 53, 53, true)), nat.rules());
        assertTrue(network(first, "front").isConnectedTo(network(first, "back").index));
        assertFalse(network(first, "pvlan").policy.icc());
        assertEquals(ip("10.99.0.2"), first.snapshot().uplink().gatewayIp);
        assertEquals(opener.interfaceMac("veth-up"), first.snapshot().uplink().gatewayMac, "the uplink answers with its interface's MAC");
        assertEquals(ip("10.99.0.1"), first.snapshot().uplink().defaultGateway);

        final NatControl.Detached restoredNat = NatControl.detached();
        final ControlPlane restarted = ControlPlane.create(second, opener, directory, restoredNat);
        final DesiredState saved;
        try
        {
            saved = restarted.load();
        }
        catch (final Exception e)
        {
            throw new AssertionError(e);
        }
        restarted.restore(saved);
        assertEquals(controller.state(), restarted.state());
        assertTrue(network(second, "front").isConnectedTo(network(second, "back").index));
        assertFalse(network(second, "pvlan").policy.icc());
        assertTrue(second.snapshot().uplinkIndex() >= 0);
        assertEquals(1, restoredNat.publishedPorts().size());
        assertEquals(nat.rules(), restoredNat.rules(), "the reject rule persisted as a reject");
        assertEquals(3, restarted.nat().addRule(true, cidr("0.0.0.0", 0), cidr("0.0.0.0", 0), Protocol.ANY, 0, 0, 1).id());
    }

    @Test
    void aRefusalOfTheNatNodesLeavesTheStateAsItWas()
    {
        final NatControl refusing = new NatControl()
        {
            public void publishedPorts(final List<PublishedPort> ports)
            {
                throw new UnsupportedOperationException("not built in");
            }

            public void rules(final List<UserRule> rules)
            {
                throw new UnsupportedOperationException("not built in");
            }

            public void masquerade(final int network, final boolean on)
            {
            }

            public int count()
            {
                throw new UnsupportedOperationException("not built in");
            }

            public int max()
            {
                return 0;
            }

            public List<FlowView> list(final int limit)
            {
                throw new UnsupportedOperationException("not built in");
            }

            public int flush()
            {
                throw new UnsupportedOperationException("not built in");
            }

            public List<NatFailure> recentFailures()
            {
                throw new UnsupportedOperationException("not built in");
            }
        };
        final ControlPlane controller = ControlPlane.create(first, opener, null, refusing);
        controller.networks().create("front", cidr("10.10.0.0", 24), 0, 0);
        final DesiredState before = controller.state();
        final ControlException publish = assertThrows(ControlException.class, () ->
            controller.nat().publish(new PublishSpec("front", ip("10.10.0.3"), 80, PublishSpec.ANY_HOST, 8080, Protocol.TCP)));
        assertEquals(ControlException.Reason.FAILED_PRECONDITION, publish.reason());
        assertThrows(ControlException.class, () -> controller.nat().addRule(false, cidr("0.0.0.0", 0), cidr("0.0.0.0", 0), Protocol.ANY, 0, 0, 0));
        assertThrows(ControlException.class, controller.conntrack()::count);
        assertEquals(before, controller.state());
    }

    @Test
    void aNetworkWhoseGatewayAnotherNetworksPortIsPublishedOnIsNotRemovedUntilThatPortIsUnpublished()
    {
        final NatControl.Detached nat = NatControl.detached();
        final ControlPlane controller = ControlPlane.create(first, opener, null, nat);
        controller.networks().create("front", cidr("10.10.0.0", 24), 0, 0);
        controller.networks().create("other", cidr("10.41.0.0", 24), 0, 0);
        controller.nat().publish(new PublishSpec("front", ip("10.10.0.3"), 80, ip("10.41.0.1"), 9090, Protocol.TCP));
        final DesiredState before = controller.state();
        final long version = first.snapshot().version;

        final ControlException e = assertThrows(ControlException.class, () -> controller.networks().remove("other"));
        assertEquals(ControlException.Reason.FAILED_PRECONDITION, e.reason());
        assertEquals("ports are published on the gateway 10.41.0.1 of network \"other\" (10.41.0.1:9090/tcp -> front 10.10.0.3:80); " +
            "remove them first (wharf publish rm)", e.getMessage());
        assertEquals(before, controller.state(), "nothing removed");
        assertEquals(version, first.snapshot().version, "the dataplane untouched");
        assertEquals(1, nat.publishedPorts().size(), "the binding is still in the NAT nodes");

        controller.nat().unpublish("front", ip("10.41.0.1"), 9090, Protocol.TCP);
        controller.networks().remove("other");
        assertEquals(List.of("front"), controller.networks().list().stream().map(v -> v.spec().name()).toList());
        assertTrue(nat.publishedPorts().isEmpty());
    }

    @Test
    void aFailedUplinkOpenLeavesNoUplinkNetworkBehind()
    {
        final ControlPlane controller = ControlPlane.inMemory(first, opener);
        final long version = first.snapshot().version;
        opener.failNextOpen("veth-up: permission denied");
        final ControlException e = assertThrows(ControlException.class, () ->
            controller.uplink().set(new UplinkSpec("veth-up", ip("10.99.0.2"), 24, ip("10.99.0.1"))));
        assertEquals("cannot open interface \"veth-up\": veth-up: permission denied", e.getMessage());
        assertTrue(first.snapshot().uplinkIndex() < 0);
        assertEquals(null, UplinkSection.of(controller.state()));
        assertTrue(first.snapshot().version > version, "added then removed");
        controller.uplink().set(new UplinkSpec("veth-up", ip("10.99.0.2"), 24, ip("10.99.0.1")));
        assertTrue(first.snapshot().uplinkIndex() >= 0, "a second attempt works");
    }
}
