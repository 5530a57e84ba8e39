package dev.wharf.control.server;

import dev.wharf.control.state.Cidr;
import dev.wharf.control.state.DesiredState;
import dev.wharf.control.state.NatSection;
import dev.wharf.control.state.NetworkSection;
import dev.wharf.control.state.NetworkSpec;
import dev.wharf.control.state.Protocol;
import dev.wharf.control.state.PublishSpec;
import dev.wharf.control.state.RuleSpec;
import dev.wharf.control.state.SectionKey;
import dev.wharf.control.state.UplinkSection;
import dev.wharf.control.state.UplinkSpec;
import dev.wharf.dataplane.protocol.Ipv4Address;
import io.grpc.BindableService;
import dev.wharf.nat.PublishedPort;
import dev.wharf.nat.UserRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.wharf.control.server.Inputs.quote;

/**
 * The NAT feature: the {@link NatSection} (published ports and user rules) and the per-network
 * masquerade flag, handed to the NAT nodes through {@link NatControl} as whole lists after every
 * change. A network with published ports cannot be removed, nor one whose gateway address a port
 * (of any network) is published on, nor the uplink while ports are published on its address: this
 * feature registers those checks with the networks' and the uplink's controllers.
 *
 * <p>Thread safety: every method takes the {@link StateTransaction}'s lock; gRPC executor threads.
 */
public final class NatController implements Feature, NetworkController.Dependent, UplinkController.Dependent
{
    private static final Logger LOG = LoggerFactory.getLogger(NatController.class);

    private final StateTransaction transaction;
    private final IdMap ids;
    private final NetworkController networks;
    private final NatControl nat;

    public NatController(
        final StateTransaction transaction, final IdMap ids, final NetworkController networks, final UplinkController uplink, final NatControl nat)
    {
        this.transaction = transaction;
        this.ids = ids;
        this.networks = networks;
        this.nat = nat;
        networks.register(this);
        uplink.register(this);
    }

    /** A network's masquerade setting is NAT's: given to the NAT nodes whenever the network enters the dataplane. */
    @Override
    public void onAdded(final NetworkSpec network, final int index)
    {
        nat.masquerade(index, network.masquerade());
    }

    @Override
    public List<SectionKey<?>> sections()
    {
        return List.of(NatSection.KEY);
    }

    @Override
    public List<BindableService> services()
    {
        return List.of(new PublishService(this), new RuleService(this));
    }

    @Override
    public void checkRemove(final String name)
    {
        final List<PublishSpec> published = transaction.section(NatSection.KEY).published().stream().filter(p -> p.network().equals(name)).toList();
        if (!published.isEmpty())
        {
            throw ControlException.precondition("network " + quote(name) + " has published ports (" +
                String.join(", ", published.stream().map(PublishSpec::hostText).toList()) + "); remove them first (wharf publish rm)");
        }
        // a port of another network published on this network's gateway would outlive it, and come back with the next
        // network given that address: refused as Docker refuses a network with active endpoints
        final int gateway = networks.network(name).gateway();
        final List<PublishSpec> bound = transaction.section(NatSection.KEY).published().stream().filter(p -> p.hostIp() == gateway).toList();
        if (!bound.isEmpty())
        {
            throw ControlException.precondition("ports are published on the gateway " + Ipv4Address.toString(gateway) + " of network " +
                quote(name) + " (" + String.join(", ", bound.stream().map(PublishSpec::toString).toList()) +
                "); remove them first (wharf publish rm)");
        }
    }

    @Override
    public void checkRemove(final UplinkSpec uplink)
    {
        final List<PublishSpec> bound = transaction.section(NatSection.KEY).published().stream().filter(p -> p.hostIp() == uplink.address()).toList();
        if (!bound.isEmpty())
        {
            throw ControlException.precondition("ports are published on the uplink address (" +
                String.join(", ", bound.stream().map(PublishSpec::hostText).toList()) + "); remove them first (wharf publish rm)");
        }
    }

    /** The connections masqueraded to the uplink's address, or published on it, end: their clients learn at once. */
    @Override
    public void onRemoved(final UplinkSpec uplink)
    {
        final int ended = nat.endFlowsOf(uplink.address());
        if (ended > 0)
        {
            LOG.info("{} connections through the uplink address {} ended", ended, uplink.addressText());
        }
    }

    /** Published ports, in the order added. */
    public List<PublishSpec> published()
    {
        return transaction.section(NatSection.KEY).published();
    }

    /** User rules, in the order they are checked. */
    public List<RuleSpec> rules()
    {
        return transaction.section(NatSection.KEY).rules();
    }

    /** Publishes a container's port on a host address (or all, {@link PublishSpec#ANY_HOST}). */
    public PublishSpec publish(final PublishSpec spec)
    {
        return publish(java.util.List.of(spec)).get(0);
    }

    /** Publishes all of {@code specs} in one commit, or none when one of them is refused (checked against the others too). */
    public java.util.List<PublishSpec> publish(final java.util.List<PublishSpec> specs)
    {
        return transaction.locked(() ->
        {
            NatSection next = transaction.section(NatSection.KEY);
            for (final PublishSpec spec : specs)
            {
                checkPublish(transaction.state(), next, spec);
                next = next.withPublished(spec);
            }
            commitPublished(next);
            for (final PublishSpec spec : specs)
            {
                LOG.info("port published: {}", spec);
            }
            return specs;
        });
    }

    /** The API's checks of a published port against {@code state}'s networks and uplink and the ports published already in {@code section}. */
    private static void checkPublish(final DesiredState state, final NatSection section, final PublishSpec spec)
    {
        final NetworkSpec network = NetworkSection.of(state).network(spec.network());
        if (network == null)
        {
            throw ControlException.notFound("network " + quote(spec.network()) + " not found");
        }
        Inputs.checkPort(spec.containerPort(), "container port");
        Inputs.checkPort(spec.hostPort(), "host port");
        if (!spec.protocol().hasPorts())
        {
            throw ControlException.invalid("protocol " + quote(spec.protocol().label()) + " cannot be published: use tcp or udp");
        }
        Inputs.checkInside(network.subnet(), spec.containerIp(), "container IP " + Ipv4Address.toString(spec.containerIp()));
        if (spec.containerIp() == network.gateway())
        {
            throw ControlException.invalid("container IP " + Ipv4Address.toString(spec.containerIp()) + " is the gateway of network " +
                quote(network.name()));
        }
        if (spec.hostIp() != PublishSpec.ANY_HOST && !isHostAddress(state, spec.hostIp()))
        {
            throw ControlException.invalid("host IP " + Ipv4Address.toString(spec.hostIp()) +
                " is neither the uplink address nor a network's gateway");
        }
        if (network.internal())
        {
            throw ControlException.precondition("network " + quote(network.name()) + " is internal: nothing outside can reach it");
        }
        for (final PublishSpec other : section.published())
        {
            if (other.conflictsWith(spec.hostIp(), spec.hostPort(), spec.protocol()))
            {
                throw ControlException.alreadyExists("port " + spec.hostText() + " is already published (" + other + ")");
            }
        }
    }

    /**
     * Stops publishing the port {@code hostPort/protocol} of {@code network}, on {@code hostIp} or,
     * with {@link PublishSpec#ANY_HOST}, on whichever address it is published.
     */
    public PublishSpec unpublish(final String networkName, final int hostIp, final int hostPort, final Protocol protocol)
    {
        return transaction.locked(() ->
        {
            networks.network(networkName);
            final NatSection section = transaction.section(NatSection.KEY);
            final PublishSpec found = section.published().stream()
                .filter(p -> p.network().equals(networkName) && p.hostPort() == hostPort && p.protocol() == protocol &&
                    (hostIp == PublishSpec.ANY_HOST || p.hostIp() == hostIp))
                .findFirst()
                .orElseThrow(() -> ControlException.notFound("port " + (hostIp == PublishSpec.ANY_HOST ? "" : Ipv4Address.toString(hostIp) + ":") +
                    hostPort + "/" + protocol.label() + " is not published to network " + quote(networkName)));
            commitPublished(section.withoutPublished(found));
            LOG.info("port unpublished: {}", found);
            return found;
        });
    }

    /**
     * Adds a rule at {@code position} (1 is checked first; 0 appends), with the next id.
     *
     * @return the rule as added.
     */
    public RuleSpec addRule(
        final boolean allow, final Cidr source, final Cidr destination, final Protocol protocol, final int portFrom, final int portTo,
        final int position)
    {
        return addRule(allow ? "allow" : "deny", source, destination, protocol, portFrom, portTo, position);
    }

    /** {@link #addRule(boolean, Cidr, Cidr, Protocol, int, int, int)} with its action a word: "allow", "deny" or "reject". */
    public RuleSpec addRule(
        final String action, final Cidr source, final Cidr destination, final Protocol protocol, final int portFrom, final int portTo,
        final int position)
    {
        if (RuleSpec.of(action, 0, source, destination, protocol, portFrom, portTo) == null)
        {
            throw ControlException.invalid("invalid action " + Inputs.quote(action) + ": use allow, deny or reject");
        }
        return transaction.locked(() ->
        {
            final NatSection section = transaction.section(NatSection.KEY);
            final int size = section.rules().size();
            if (position < 0 || position > size + 1)
            {
                throw ControlException.invalid("position " + position + " is out of range 1.." + (size + 1));
            }
            checkRulePorts(protocol, portFrom, portTo);
            final RuleSpec rule = RuleSpec.of(action, section.nextRuleId(), source, destination, protocol, portFrom, portTo);
            commitRules(section.withRule(position == 0 ? size : position - 1, rule));
            LOG.info("rule added: {}", rule);
            return rule;
        });
    }

    private static void checkRulePorts(final Protocol protocol, final int portFrom, final int portTo)
    {
        if (portTo != 0)
        {
            if (!protocol.hasPorts())
            {
                throw ControlException.invalid("destination ports need protocol tcp or udp, not " + protocol.label());
            }
            Inputs.checkPort(portFrom, "destination port");
            Inputs.checkPort(portTo, "destination port");
            if (portFrom > portTo)
            {
                throw ControlException.invalid("destination port range " + portFrom + "-" + portTo + " is backwards");
            }
        }
        else if (portFrom != 0)
        {
            // the API never makes one: "25" is 25-25
            throw ControlException.invalid("destination port range " + Integer.toUnsignedString(portFrom) + "-0 is backwards");
        }
    }

    /**
     * Checks the published ports and rules of a saved state as the API would have checked them when
     * they were added, one after the other, against the saved networks and uplink; rule ids must be
     * distinct (the next id is past them all as the section reads it). Refuses with the API's message.
     * At start-up, before {@link #restore}; reads only {@code saved}.
     */
    @Override
    public void check(final DesiredState saved)
    {
        final NatSection all = NatSection.of(saved);
        NatSection section = NatSection.EMPTY;
        for (final PublishSpec spec : all.published())
        {
            checkPublish(saved, section, spec);
            section = section.withPublished(spec);
        }
        final Set<Long> ruleIds = new HashSet<>();
        for (final RuleSpec rule : all.rules())
        {
            checkRulePorts(rule.protocol(), rule.portFrom(), rule.portTo());
            if (!ruleIds.add(rule.id()))
            {
                throw ControlException.alreadyExists("rule " + Long.toUnsignedString(rule.id()) + " appears twice");
            }
        }
    }

    public void removeRule(final long id)
    {
        transaction.locked(() ->
        {
            final NatSection section = transaction.section(NatSection.KEY);
            final RuleSpec rule = section.rules().stream().filter(r -> r.id() == id).findFirst()
                .orElseThrow(() -> ControlException.notFound("rule " + Long.toUnsignedString(id) + " not found"));
            commitRules(section.withoutRule(id));
            LOG.info("rule removed: {}", rule);
        });
    }

    @Override
    public void restore(final DesiredState saved)
    {
        transaction.locked(() ->
        {
            final NatSection section = NatSection.of(saved);
            transaction.adopt(section.in(transaction.state()));
            nat.publishedPorts(natPorts(section));
            nat.rules(natRules(section));
        });
    }

    /** Hands the NAT nodes the published ports of {@code next}, then commits; gives them the old ones again if that fails. */
    private void commitPublished(final NatSection next)
    {
        final NatSection now = transaction.section(NatSection.KEY);
        apply("publish ports", () -> nat.publishedPorts(natPorts(next)));
        transaction.commit(next.in(transaction.state()), () -> nat.publishedPorts(natPorts(now)));
    }

    /** Hands the NAT nodes the rules of {@code next}, then commits; gives them the old ones again if that fails. */
    private void commitRules(final NatSection next)
    {
        final NatSection now = transaction.section(NatSection.KEY);
        apply("apply rules", () -> nat.rules(natRules(next)));
        transaction.commit(next.in(transaction.state()), () -> nat.rules(natRules(now)));
    }

    private static void apply(final String what, final Runnable call)
    {
        try
        {
            call.run();
        }
        catch (final UnsupportedOperationException e)
        {
            throw ControlException.precondition("this daemon cannot " + what + ": " + e.getMessage());
        }
    }

    private static boolean isHostAddress(final DesiredState state, final int address)
    {
        final UplinkSpec uplink = UplinkSection.of(state);
        if (uplink != null && uplink.address() == address)
        {
            return true;
        }
        return NetworkSection.of(state).networks().stream().anyMatch(n -> n.gateway() == address);
    }

    private List<PublishedPort> natPorts(final NatSection section)
    {
        final List<PublishedPort> list = new ArrayList<>();
        for (final PublishSpec p : section.published())
        {
            final Integer index = ids.network(p.network());
            if (index != null)
            {
                list.add(new PublishedPort(p.hostIp(), p.hostPort(), p.protocol().number(), index, p.containerIp(), p.containerPort()));
            }
        }
        return list;
    }

    private static List<UserRule> natRules(final NatSection section)
    {
        final List<UserRule> list = new ArrayList<>();
        for (final RuleSpec r : section.rules())
        {
            list.add(new UserRule(r.allow(), r.source().network(), r.source().prefixLength(), r.destination().network(),
                r.destination().prefixLength(), r.protocol().number(), r.portFrom(), r.portTo(), r.reject()));
        }
        return list;
    }
}
