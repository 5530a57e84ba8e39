package dev.wharf.control.state;

import com.google.protobuf.Message;
import dev.wharf.control.api.v1.PersistedNatSection;
import dev.wharf.control.api.v1.PersistedPublish;
import dev.wharf.control.api.v1.PersistedRule;
import dev.wharf.dataplane.protocol.Ipv4Address;

/**
 * Keeps the {@link NatSection} as {@code wharf.v1.PersistedNatSection}: the {@code published},
 * {@code rules} and {@code nextRuleId} keys of {@code state.json}. A published port must name a
 * network of the networks section, which is read before this one. Stateless.
 */
final class NatSectionCodec implements SectionCodec<NatSection>
{
    @Override
    public Message defaultMessage()
    {
        return PersistedNatSection.getDefaultInstance();
    }

    @Override
    public Message write(final NatSection section)
    {
        final PersistedNatSection.Builder out = PersistedNatSection.newBuilder();
        for (final PublishSpec publish : section.published())
        {
            out.addPublished(PersistedPublish.newBuilder()
                .setNetwork(publish.network())
                .setContainerIp(Ipv4Address.toString(publish.containerIp()))
                .setContainerPort(publish.containerPort())
                .setHostIp(Ipv4Address.toString(publish.hostIp()))
                .setHostPort(publish.hostPort())
                .setProtocol(publish.protocol().label()));
        }
        for (final RuleSpec rule : section.rules())
        {
            out.addRules(PersistedRule.newBuilder()
                .setId(rule.id())
                .setAction(rule.action())
                .setSource(rule.source().toString())
                .setDestination(rule.destination().toString())
                .setProtocol(rule.protocol().label())
                .setPortFrom(rule.portFrom())
                .setPortTo(rule.portTo()));
        }
        return out.setNextRuleId(section.nextRuleId()).build();
    }

    @Override
    public NatSection read(final Message message, final DesiredState earlier, final PersistedValues values) throws StateFileException
    {
        final PersistedNatSection persisted = (PersistedNatSection)message;
        final NetworkSection networks = NetworkSection.of(earlier);
        NatSection section = NatSection.EMPTY;
        for (final PersistedPublish p : persisted.getPublishedList())
        {
            final String where = "published port " + p.getHostIp() + ":" + p.getHostPort() + "/" + p.getProtocol();
            if (networks.network(p.getNetwork()) == null)
            {
                throw values.failure(where + " names network \"" + p.getNetwork() + "\", which the file does not define");
            }
            final Protocol protocol = Protocol.byLabel(p.getProtocol());
            if (protocol == null || !protocol.hasPorts())
            {
                throw values.failure(where + " has unknown protocol \"" + p.getProtocol() + "\"");
            }
            section = section.withPublished(new PublishSpec(p.getNetwork(), values.ip(p.getContainerIp(), where), p.getContainerPort(),
                p.getHostIp().isEmpty() ? PublishSpec.ANY_HOST : values.ip(p.getHostIp(), where), p.getHostPort(), protocol));
        }
        for (final PersistedRule r : persisted.getRulesList())
        {
            final String where = "rule " + r.getId();
            final Protocol protocol = Protocol.byLabel(r.getProtocol().isEmpty() ? "any" : r.getProtocol());
            final RuleSpec rule = protocol == null ? null : RuleSpec.of(r.getAction(), r.getId(),
                values.cidr(r.getSource(), where), values.cidr(r.getDestination(), where), protocol, r.getPortFrom(), r.getPortTo());
            if (rule == null)
            {
                throw values.failure(where + " has an unknown action or protocol");
            }
            section = section.withRule(section.rules().size(), rule);
        }
        return section.withNextRuleId(persisted.getNextRuleId());
    }
}
