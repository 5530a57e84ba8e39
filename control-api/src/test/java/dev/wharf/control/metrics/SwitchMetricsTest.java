package dev.wharf.control.metrics;

import dev.wharf.control.server.ControlPlane;
import dev.wharf.control.server.FakePortOpener;
import dev.wharf.control.server.NamedCounter;
import dev.wharf.control.server.SwitchViews;
import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.LbSection;
import dev.wharf.control.state.Protocol;
import dev.wharf.control.state.PortKind;
import dev.wharf.control.state.PortSpec;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.worker.Dataplane;
import dev.wharf.dataplane.worker.DataplaneConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scrape of a switch whose one worker the test drives by hand over memory ports: every series
 * with the value the frames sent make it, series that follow ports and networks as they come and
 * go, and the JVM's own.
 */
class SwitchMetricsTest
{
    private static final long C1_MAC = 0x0200_0000_0002L;

    private final FakePortOpener opener = new FakePortOpener().withInterfaces("veth-c1", "veth-c2", "veth-up");
    private final Dataplane dataplane = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));
    private final ControlPlane controller = ControlPlane.inMemory(dataplane, opener);
    private SwitchMetrics metrics;
    private FakePortOpener.TrackedPort c1;
    private FakePortOpener.TrackedPort c2;

    @BeforeEach
    void topology()
    {
        controller.networks().create("front", new Cidr(0x0A0A_0000, 24), 0, 0);
        c1 = attach("veth-c1", PortKind.AF_PACKET, 0x0A0A_0002, PortSpec.NO_MAC);
        c2 = attach("veth-c2", PortKind.TAP, 0x0A0A_0003, 0x0200_0000_0003L);
        metrics = new SwitchMetrics(dataplane, controller);
    }

    @AfterEach
    void tearDown()
    {
        metrics.close();
        dataplane.close();
    }

    private FakePortOpener.TrackedPort attach(final String name, final PortKind kind, final int ip, final long mac)
    {
        controller.ports().attach(new PortSpec(name, "front", kind, ip, mac, 0, List.of(), 0));
        return opener.lastOpened();
    }

    /** A broadcast ARP request from 10.10.0.2 asking for the gateway 10.10.0.1, padded to 60 bytes. */
    private static byte[] arpRequestForGateway()
    {
        final ByteBuffer frame = ByteBuffer.allocate(60);
        frame.putShort((short)0xFFFF).putInt(0xFFFF_FFFF);
        frame.putShort((short)(C1_MAC >>> 32)).putInt((int)C1_MAC);
        frame.putShort((short)0x0806);
        frame.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)1);
        frame.putShort((short)(C1_MAC >>> 32)).putInt((int)C1_MAC).putInt(0x0A0A_0002);
        frame.putShort((short)0).putInt(0).putInt(0x0A0A_0001);
        return frame.array();
    }

    private void runWorker()
    {
        for (int i = 0; i < 4; i++)
        {
            dataplane.worker(0).doWork();
        }
    }

    private Scrape scrape()
    {
        return new Scrape(metrics.scrape());
    }

    @Test
    void loadBalancerSeriesFollowItsServicesAndBackendsLabelledByThem()
    {
        final dev.wharf.nat.NatService nat = new dev.wharf.nat.NatService(dev.wharf.nat.NatConfiguration.defaults());
        final dev.wharf.lb.LoadBalancer balancer = new dev.wharf.lb.LoadBalancer(nat);
        final Dataplane other = new Dataplane(DataplaneConfiguration.defaults().withWorkers(1));
        final ControlPlane plane = ControlPlane.create(other, opener, null, dev.wharf.control.server.NatControl.detached(), null, balancer);
        final int vip = 0x0A0A_0064;
        final LbSection.Address web = new LbSection.Address(vip, 80, Protocol.TCP);
        final LbSection.Address dns = new LbSection.Address(vip, 53, Protocol.UDP);
        try (SwitchMetrics lbMetrics = new SwitchMetrics(other, plane))
        {
            plane.lb().addService(new LbSection.Service(web, "rr", 0, "web", List.of(), null, LbSection.Service.NAT, false));
            plane.lb().addService(new LbSection.Service(dns, "rr", 0, "", List.of(), null, LbSection.Service.NAT, false));
            plane.lb().addBackend(web, new LbSection.Backend(0x0A0A_000B, 8080, 1));
            plane.lb().addBackend(web, new LbSection.Backend(0x0A0A_000C, 8080, 1));
            plane.lb().addBackend(dns, new LbSection.Backend(0x0A0A_000B, 5353, 1));
            // one established connection, as ip4-nat-out makes it for the balancer's answer: to 10.10.0.11
            final long answer = balancer.schedule(0, 6, 0x0A14_0002, 40_000, vip, 80, 0);
            nat.table().create(dev.wharf.nat.FlowKey.addresses(0x0A14_0002, vip), dev.wharf.nat.FlowKey.ports(6, 0, 40_000, 80),
                dev.wharf.nat.FlowKey.addresses(0x0A0A_000B, 0x0A14_0002), dev.wharf.nat.FlowKey.ports(6, 0, 8080, 40_000),
                dev.wharf.nat.ConnectionState.withMark(dev.wharf.nat.ConnectionState.ESTABLISHED, dev.wharf.nat.VirtualServices.mark(answer)),
                Long.MAX_VALUE);

            Scrape scrape = new Scrape(lbMetrics.scrape());
            final String[] b1 = {"service", "10.10.0.100:80/tcp", "name", "web", "backend", "10.10.0.11:8080"};
            final String[] b2 = {"service", "10.10.0.100:80/tcp", "name", "web", "backend", "10.10.0.12:8080"};
            assertEquals(1, scrape.value("wharf_lb_backend_connections_total", b1));
            assertEquals(1, scrape.value("wharf_lb_backend_active_connections", b1));
            assertEquals(0, scrape.value("wharf_lb_backend_inactive_connections", b1));
            assertEquals(0, scrape.value("wharf_lb_backend_connections_total", b2));
            for (final String series : List.of("in_packets_total", "out_packets_total", "in_bytes_total", "out_bytes_total"))
            {
                assertEquals(0, scrape.value("wharf_lb_backend_" + series, b1), series);
                assertEquals(0, scrape.value("wharf_lb_service_" + series, "service", "10.10.0.100:80/tcp"), series);
            }
            assertEquals(1, scrape.value("wharf_lb_backend_up", b2), "no health check: up");
            assertEquals(1, scrape.value("wharf_lb_service_connections_total", "service", "10.10.0.100:80/tcp", "name", "web"));
            assertEquals(1, scrape.value("wharf_lb_service_active_connections", "service", "10.10.0.100:80/tcp"));
            assertEquals(0, scrape.value("wharf_lb_service_connections_total", "service", "10.10.0.100:53/udp"),
                "a service without a name: its name label empty");
            assertEquals(2, scrape.value("wharf_lb_services"));
            assertTrue(scrape.text().contains("# HELP wharf_lb_backend_in_bytes_total"), "described");

            plane.lb().removeBackend(web, 0x0A0A_000C, 8080, 0);
            scrape = new Scrape(lbMetrics.scrape());
            assertFalse(scrape.has("wharf_lb_backend_up", b2), "a removed backend's series go with it");
            assertTrue(scrape.has("wharf_lb_backend_up", b1));

            plane.lb().removeService(web);
            scrape = new Scrape(lbMetrics.scrape());
            assertFalse(scrape.has("wharf_lb_backend_connections_total", "service", "10.10.0.100:80/tcp"));
            assertFalse(scrape.has("wharf_lb_service_connections_total", "service", "10.10.0.100:80/tcp"));
            assertTrue(scrape.has("wharf_lb_backend_connections_total", "service", "10.10.0.100:53/udp", "backend", "10.10.0.11:5353"));

            plane.lb().addService(new LbSection.Service(web, "rr", 0, "web", List.of(), null, LbSection.Service.NAT, false));
            plane.lb().addBackend(web, new LbSection.Backend(0x0A0A_000C, 8080, 1));
            scrape = new Scrape(lbMetrics.scrape());
            assertEquals(0, scrape.value("wharf_lb_backend_connections_total", b2), "back, registered once, from 0");
            assertEquals(0, scrape.value("wharf_lb_service_connections_total", "service", "10.10.0.100:80/tcp"), "a new service, from 0");
        }
        finally
        {
            other.close();
        }
    }

    @Test
    void portSeriesCountTheFramesEachWay()
    {
        c1.memory().inject(arpRequestForGateway());
        c1.memory().inject(new byte[10]);
        runWorker();

        final Scrape scrape = scrape();
        final String[] p1 = {"port", "veth-c1", "network", "front", "kind", "af_packet"};
        final String[] p2 = {"port", "veth-c2", "network", "front", "kind", "tap"};
        assertEquals(2, scrape.value("wharf_port_rx_packets_total", p1));
        assertEquals(70, scrape.value("wharf_port_rx_bytes_total", p1));
        assertEquals(1, scrape.value("wharf_port_rx_drops_total", p1), "the runt");
        // the broadcast goes to the gateway, which answers on veth-c1, and is flooded to veth-c2
        assertEquals(c1.memory().sentCount(), scrape.value("wharf_port_tx_packets_total", p1));
        assertEquals(1, scrape.value("wharf_port_tx_packets_total", p1));
        assertEquals(1, scrape.value("wharf_port_tx_packets_total", p2));
        assertEquals(60, scrape.value("wharf_port_tx_bytes_total", p2));
        assertEquals(0, scrape.value("wharf_port_rx_packets_total", p2));
        assertEquals(0, scrape.value("wharf_port_tx_drops_total", p2));

        // the same numbers as `wharf stats`, which reads the same counters through the API
        for (final SwitchViews.PortCounters port : controller.views().portCounters())
        {
            assertEquals(port.rxPackets(), scrape.value("wharf_port_rx_packets_total", "port", port.name()));
            assertEquals(port.rxBytes(), scrape.value("wharf_port_rx_bytes_total", "port", port.name()));
            assertEquals(port.txPackets(), scrape.value("wharf_port_tx_packets_total", "port", port.name()));
            assertEquals(port.txBytes(), scrape.value("wharf_port_tx_bytes_total", "port", port.name()));
            assertEquals(port.rxDrops(), scrape.value("wharf_port_rx_drops_total", "port", port.name()));
            assertEquals(port.txDrops(), scrape.value("wharf_port_tx_drops_total", "port", port.name()));
        }
    }

    @Test
    void kernelDropsAreASeriesOfTheirOwn()
    {
        c1.memory().dropInKernel(41);
        runWorker();

        final Scrape scrape = scrape();
        final String[] p1 = {"port", "veth-c1", "network", "front", "kind", "af_packet"};
        assertEquals(41, scrape.value("wharf_port_rx_kernel_drops_total", p1));
        assertEquals(0, scrape.value("wharf_port_rx_drops_total", p1), "not a pipeline drop");
        assertEquals(0, scrape.value("wharf_port_rx_kernel_drops_total", "port", "veth-c2"));
        for (final SwitchViews.PortCounters port : controller.views().portCounters())
        {
            assertEquals(port.rxKernelDrops(), scrape.value("wharf_port_rx_kernel_drops_total", "port", port.name()));
        }
    }

    @Test
    void dropsByReasonNodesFdbAndWorkers()
    {
        final Scrape before = scrape();
        assertEquals(0, before.value("wharf_drops_total", "node", "ethernet-input", "reason", "runt"), "every reason is listed, zero too");
        assertEquals(1, before.value("wharf_fdb_entries", "network", "front"), "the static MAC of veth-c2");

        c1.memory().inject(arpRequestForGateway());
        c1.memory().inject(new byte[10]);
        runWorker();

        final Scrape scrape = scrape();
        assertEquals(1, scrape.value("wharf_drops_total", "node", "ethernet-input", "reason", "runt"));
        assertEquals(1, scrape.value("wharf_node_events_total", "node", "arp-input", "event", "replied"), "a reply is an event");
        assertFalse(scrape.has("wharf_drops_total", "node", "arp-input", "reason", "replied"), "and never a drop");
        assertFalse(scrape.has("wharf_node_events_total", "node", "ethernet-input", "event", "runt"), "a drop is never an event");
        assertFalse(scrape.has("wharf_node_errors_total"), "the old mixed family is gone");
        final dev.wharf.dataplane.graph.CounterLayout layout = dataplane.layout();
        int drops = 0;
        for (int error = 0; error < layout.errorCount(); error++)
        {
            final String node = layout.errorNode(error);
            final String reason = layout.errorReason(error);
            assertEquals(layout.errorName(error), node + "." + reason);
            if (layout.isDrop(error))
            {
                drops++;
                assertEquals(dataplane.sum(error), scrape.value("wharf_drops_total", "node", node, "reason", reason), layout.errorName(error));
            }
            else
            {
                assertEquals(dataplane.sum(error), scrape.value("wharf_node_events_total", "node", node, "event", reason), layout.errorName(error));
            }
        }
        assertTrue(drops > 0 && drops < layout.errorCount(), "both kinds are declared");
        assertEquals(drops, scrape.samples("wharf_drops_total").size());
        assertEquals(layout.errorCount() - drops, scrape.samples("wharf_node_events_total").size());
        for (final NamedCounter counter : controller.views().nonZeroCounters())
        {
            assertTrue(counter.value() > 0, counter.name());
        }
        assertEquals(1, scrape.samples("wharf_build_info").size());
        assertEquals(1, scrape.value("wharf_build_info", "java", Runtime.version().toString()));
        assertTrue(scrape.text().contains("wharf_build_info{java=\"" + Runtime.version() + "\",version=\""), scrape.text().lines()
            .filter(l -> l.startsWith("wharf_build_info")).findFirst().orElse("no wharf_build_info"));
        assertFalse(scrape.text().contains("nanoseconds"), "times in seconds, the base unit");

        assertEquals(2, scrape.value("wharf_node_packets_total", "node", "ethernet-input"), "both frames entered the pipeline");
        assertEquals(1, scrape.value("wharf_node_packets_total", "node", "arp-input"));
        assertEquals(dataplane.layout().nodeCount(), scrape.samples("wharf_node_packets_total").size());

        assertEquals(2, scrape.value("wharf_fdb_entries", "network", "front"), "veth-c1's MAC was learned");

        final long busy = scrape.value("wharf_worker_busy_cycles_total", "worker", "0");
        final long idle = scrape.value("wharf_worker_idle_cycles_total", "worker", "0");
        assertTrue(busy >= 1, "the worker found the frames");
        assertEquals(4, busy + idle, "four duty cycles were run");
        assertEquals(0, scrape.value("wharf_worker_errors_total"));
    }

    @Test
    void seriesFollowPortsAndNetworksAsTheyComeAndGo()
    {
        c1.memory().inject(arpRequestForGateway());
        runWorker();
        assertEquals(1, scrape().value("wharf_port_rx_packets_total", "port", "veth-c1"));

        controller.ports().detach("front", "veth-c1");
        final Scrape detached = scrape();
        assertFalse(detached.has("wharf_port_rx_packets_total", "port", "veth-c1"), "no stale series for a detached port");
        assertFalse(detached.has("wharf_port_tx_bytes_total", "port", "veth-c1"));
        assertTrue(detached.has("wharf_port_rx_packets_total", "port", "veth-c2"));

        // back under the same name, as a TAP this time: a new series that starts from zero, and no duplicate
        c1 = attach("veth-c1", PortKind.TAP, 0x0A0A_0002, PortSpec.NO_MAC);
        final Scrape again = scrape();
        assertEquals(1, again.samples("wharf_port_rx_packets_total", "port", "veth-c1").size());
        assertEquals(0, again.value("wharf_port_rx_packets_total", "port", "veth-c1", "kind", "tap"));
        c1.memory().inject(arpRequestForGateway());
        runWorker();
        assertEquals(1, scrape().value("wharf_port_rx_packets_total", "port", "veth-c1", "kind", "tap"));

        controller.networks().create("back", new Cidr(0x0A14_0000, 24), 0, 0);
        assertEquals(0, scrape().value("wharf_fdb_entries", "network", "back"));
        controller.networks().remove("back");
        assertFalse(scrape().has("wharf_fdb_entries", "network", "back"), "no stale series for a removed network");
    }

    @Test
    void includesJvmAndProcessMetrics()
    {
        final Scrape scrape = scrape();
        for (final String name : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_gc_memory_allocated_bytes_total",
            "system_cpu_count", "process_uptime_seconds"))
        {
            assertTrue(scrape.has(name), () -> name + " missing in:\n" + scrape.text());
        }
        assertTrue(scrape.text().contains("# HELP wharf_port_rx_packets_total "), scrape.text());
        assertTrue(scrape.text().contains("# TYPE wharf_port_rx_packets_total counter"), scrape.text());
        assertTrue(scrape.text().contains("# TYPE wharf_fdb_entries gauge"), scrape.text());
    }

    @Test
    void theUplinkIsAPortOfItsOwnNetworkInTheScrapeAndFeaturesBringTheirMeters()
    {
        // before the features had their own views this scrape failed: the uplink is no port of the networks section
        controller.uplink().set(new UplinkSpec("veth-up", 0x0A63_0002, 24, 0x0A63_0001));
        final Scrape scrape = scrape();
        assertEquals(0, scrape.value("wharf_port_rx_packets_total", "port", "veth-up", "network", "uplink", "kind", "af_packet"));
        assertTrue(scrape.has("wharf_conntrack_max"), "connection tracking's meters, bound by its feature");
        controller.uplink().remove();
        assertFalse(scrape().has("wharf_port_rx_packets_total", "port", "veth-up"), "gone with the uplink");
    }
}
