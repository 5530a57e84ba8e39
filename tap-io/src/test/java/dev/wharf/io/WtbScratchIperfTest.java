package dev.wharf.io;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

/** Scratch: where do V2 TCP retransmits come from. Deleted before hand-off. */
final class WtbScratchIperfTest extends AfPacketPortTest
{
    @Test
    void iperf() throws Exception
    {
        for (final TpacketVersion v : new TpacketVersion[] {TpacketVersion.V2, TpacketVersion.V3})
        {
            for (final int frames : new int[] {256})
            {
                final PortOptions o = PortOptions.DEFAULT.withRingVersion(v).withRxFrames(frames);
                final Endpoint a = open("a" + v + frames, "10.77.0.1", o);
                final Endpoint b = open("b" + v + frames, "10.77.0.2", o);
                try (Forwarder forwarder = new Forwarder(a.port(), b.port()))
                {
                    final Process server = Shell.start(Shell.inNamespace(b.namespace(), "iperf3", "-s", "-1", "-B", b.ip()));
                    Thread.sleep(500);
                    final String out = Shell.run(30, Shell.inNamespace(a.namespace(), "iperf3", "-c", b.ip(), "-t", "5", "-f", "g"));
                    server.waitFor(10, TimeUnit.SECONDS);
                    for (final Endpoint e : new Endpoint[] {a, b})
                    {
                        System.out.println("SCRATCH " + v + " nstat " + e.namespace() + ":\n" + Shell.run(Shell.inNamespace(e.namespace(), "sh", "-c",
                            "nstat -az | grep -E 'Csum|OFO|Retrans|Drop|Reorder|Lost|Prune|Collapse|Backlog|RcvQ|DSACK|Spurious|TCPTimeouts|SACKReneg|Recovery' | grep -v ' 0 ' ; ip -s link show " + e.link())));
                    }
                    System.out.println("SCRATCH host links:\n" + Shell.run("sh", "-c", "ip -s link show " + a.port().name() + "; ip -s link show " + b.port().name() + "; cat /proc/net/softnet_stat"));
                    final AfPacketQueue qa = (AfPacketQueue)a.port().queue(0);
                    final AfPacketQueue qb = (AfPacketQueue)b.port().queue(0);
                    System.out.println("SCRATCH " + v + " rxFrames=" + frames + " " + out.lines().filter(l -> l.contains("sender")).findFirst().orElse("") +
                        " | sendFailures " + forwarder.sendFailures + " txRingFull " + (qa.txRingFull() + qb.txRingFull()) +
                        " kernelDrops a " + qa.kernelDropsSinceLastCall() + " b " + qb.kernelDropsSinceLastCall() + " kickErrors " + (qa.kickErrors() + qb.kickErrors()));
                }
                for (final var p : ports)
                {
                    p.close();
                }
                ports.clear();
                topology.close();
                topology = new Topology("wtb");
            }
        }
    }
}
