package dev.wharf.control.cli;

import dev.wharf.control.api.v1.AddRuleRequest;
import dev.wharf.control.client.WharfClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wharf rule add allow|deny|reject ...}: prints the new rule's id. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {"Add a rule. The first rule that matches a new connection decides; no match allows it.",
        "Connections already tracked are not checked again (wharf conntrack flush to re-check them).",
        "deny drops; reject answers at once: TCP with a reset (connection refused), UDP with an ICMP port",
        "unreachable, others with an ICMP administratively-prohibited unreachable.",
        "Rules apply to routed connections and to those between two ports of one network.",
        "Addresses are matched as the packet arrived: the source before masquerade (the container's",
        "address), the destination before DNAT (the published host address and port, or the VIP)."},
    footer = {"", "Example:", "  wharf rule add deny --src 10.10.0.0/24 --dst 0.0.0.0/0 --proto tcp --dport 25",
        "  wharf rule add reject --src 10.10.0.2 --dst 10.10.0.3 --proto tcp --dport 80",
        "  wharf rule add allow --src 10.10.0.5 --proto tcp --dport 25 --position 1"})
final class RuleAddCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "allow|deny|reject", description = "What a matching connection gets.")
    String action;

    @Option(names = "--src", paramLabel = "CIDR", description = "Source prefix or address (default: any).")
    String source = "";

    @Option(names = "--dst", paramLabel = "CIDR", description = "Destination prefix or address (default: any).")
    String destination = "";

    @Option(names = "--proto", paramLabel = "PROTO", description = "tcp, udp, icmp or any (default: any).")
    String protocol = "";

    @Option(names = "--dport", paramLabel = "PORT[-PORT]", description = "Destination port or range (tcp and udp only).")
    String ports = "";

    @Option(names = "--position", paramLabel = "N", description = "Where to insert it: 1 is checked first (default: last).")
    Integer position;

    @Override
    protected void run(final WharfClient client)
    {
        // the API's position 0 means "last": a user who writes --position 0 gets told, not appended
        if (position != null && position < 1)
        {
            throw new CliFailure(ExitCodes.USAGE, "--position must be 1 or more (1 is checked first; leave it out to add last): " + position);
        }
        println(Long.toUnsignedString(client.rules().add(AddRuleRequest.newBuilder()
            .setAction(action)
            .setSource(source)
            .setDestination(destination)
            .setProtocol(protocol)
            .setDestinationPorts(ports)
            .setPosition(position == null ? 0 : position)
            .build()).getRule().getId()));
    }
}
