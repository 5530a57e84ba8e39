package dev.wharf.control.server;

import dev.wharf.control.api.v1.AddRuleRequest;
import dev.wharf.control.api.v1.AddRuleResponse;
import dev.wharf.control.api.v1.ListRulesRequest;
import dev.wharf.control.api.v1.ListRulesResponse;
import dev.wharf.control.api.v1.RemoveRuleRequest;
import dev.wharf.control.api.v1.RemoveRuleResponse;
import dev.wharf.control.api.v1.Rule;
import dev.wharf.control.api.v1.RuleServiceGrpc;
import dev.wharf.control.state.Protocol;
import dev.wharf.control.state.RuleSpec;
import io.grpc.stub.StreamObserver;

/** {@code wharf.v1.RuleService}: parses requests and hands them to the {@link NatController}. gRPC executor threads. */
public final class RuleService extends RuleServiceGrpc.RuleServiceImplBase
{
    private final NatController nat;

    public RuleService(final NatController nat)
    {
        this.nat = nat;
    }

    @Override
    public void add(final AddRuleRequest request, final StreamObserver<AddRuleResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final String action = request.getAction();
            if (!(action.equals("allow") || action.equals("deny") || action.equals("reject")))
            {
                throw ControlException.invalid("invalid action " + Inputs.quote(action) + ": use allow, deny or reject");
            }
            final int[] ports = Inputs.portRange(request.getDestinationPorts());
            final RuleSpec rule = nat.addRule(action, Inputs.prefix(request.getSource(), "source"),
                Inputs.prefix(request.getDestination(), "destination"), Inputs.protocol(request.getProtocol(), Protocol.ANY),
                ports[0], ports[1], request.getPosition());
            return AddRuleResponse.newBuilder().setRule(message(rule)).build();
        });
    }

    @Override
    public void remove(final RemoveRuleRequest request, final StreamObserver<RemoveRuleResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            nat.removeRule(request.getId());
            return RemoveRuleResponse.getDefaultInstance();
        });
    }

    @Override
    public void list(final ListRulesRequest request, final StreamObserver<ListRulesResponse> observer)
    {
        GrpcCalls.answer(observer, () ->
        {
            final ListRulesResponse.Builder response = ListRulesResponse.newBuilder();
            nat.rules().forEach(rule -> response.addRules(message(rule)));
            return response.build();
        });
    }

    static Rule message(final RuleSpec rule)
    {
        return Rule.newBuilder()
            .setId(rule.id())
            .setAction(rule.action())
            .setSource(rule.source().toString())
            .setDestination(rule.destination().toString())
            .setProtocol(rule.protocol().label())
            .setDestinationPorts(rule.portsText())
            .build();
    }
}
