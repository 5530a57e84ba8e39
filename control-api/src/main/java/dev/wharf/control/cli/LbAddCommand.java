package dev.wharf.control.cli;

import dev.wharf.control.api.v1.AddServiceRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf lb add VIP:PORT[/PROTO]}: prints the service. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {"Add a virtual service: new connections to VIP:PORT are given a backend by the scheduler and",
        "translated to it (NAT); until a backend is added they are refused (TCP reset, ICMP port unreachable).",
        "A VIP inside a network's subnet is answered for by the gateway (ARP); any other is reached through it."},
    footer = {"", "Schedulers: rr (round robin), wrr (weighted), lc (least connections), wlc (weighted lc),",
        "sh (source hash: a client keeps its backend), mh (Maglev: as sh, and a backend's removal moves no other's clients).",
        "", "Example:", "  wharf lb add 10.10.0.100:80/tcp --scheduler mh --name web",
        "  wharf lb add 10.10.0.102:80/tcp --name api --dns-mode rr", "  wharf lb add 10.96.0.10:53/udp",
        "  wharf lb add 10.10.0.101:80/tcp --scheduler sh --hash-port"})
final class LbAddCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "VIP:PORT[/PROTO]", description = "The service's address; the protocol is tcp unless /udp is given.")
    String service;

    @Option(names = "--scheduler", paramLabel = "NAME", defaultValue = "rr", description = "rr, wrr, lc, wlc, sh or mh (default: ${DEFAULT-VALUE}).")
    String scheduler;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "nat",
        description = {"nat (default): translated to the backend, replies come back through the switch; dsr: direct server",
            "return, the packet goes unchanged to the backend, which holds the VIP on a loopback and answers the client itself."})
    String mode;

    @Option(names = "--persistent", paramLabel = "SECONDS", defaultValue = "0",
        description = "Keep a client on its backend this long after its last new connection (IPVS -p), up to 86400; 0 (default) for none.")
    long persistent;

    @Option(names = "--name", paramLabel = "NAME",
        description = "A label for listings, and the name the networks' DNS servers resolve (when it is a DNS name).")
    String name;

    @Option(names = "--hash-port",
        description = {"sh and mh only: hash the client's port with its address",
            "(ipvsadm's -b sh-port), so that one client's connections spread over",
            "the backends instead of all reaching one."})
    boolean hashPort;

    @Option(names = "--dns-mode", paramLabel = "MODE", defaultValue = "vip",
        description = "What --name resolves to: vip (default), or rr: the healthy backends' addresses, rotated (Docker's dnsrr).")
    String dnsMode;

    @Override
    protected void run(final WharfClient client)
    {
        final AddServiceRequest.Builder request = AddServiceRequest.newBuilder()
            .setAddress(HostPortArgument.service(service).serviceAddress())
            .setScheduler(scheduler)
            .setMode(mode)
            .setPersistent((int)Math.min(Math.max(persistent, -1), Integer.MAX_VALUE))
            .setHashPort(hashPort)
            .setDnsMode(dnsMode);
        if (name != null)
        {
            request.setName(name);
        }
        println(LbListCommand.serviceText(client.lb().addService(request.build()).getService()));
    }
}
