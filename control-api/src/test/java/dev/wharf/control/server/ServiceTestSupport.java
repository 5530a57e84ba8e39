package dev.wharf.control.server;

import dev.wharf.control.api.v1.AttachPortRequest;
import dev.wharf.control.api.v1.AttachPortResponse;
import dev.wharf.control.api.v1.CreateNetworkRequest;
import dev.wharf.control.api.v1.CreateNetworkResponse;
import dev.wharf.control.state.DesiredState;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.grpc.stub.StreamObserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Calls the services in-process and checks refusals: their status, their one-line message, and that nothing changed. */
abstract class ServiceTestSupport
{
    ControlFixture fixture;

    @BeforeEach
    void setUp()
    {
        fixture = new ControlFixture();
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    CreateNetworkResponse createNetwork(final String name, final String subnet)
    {
        final RecordingObserver<CreateNetworkResponse> observer = new RecordingObserver<>();
        fixture.networks.create(CreateNetworkRequest.newBuilder().setName(name).setSubnet(subnet).build(), observer);
        return observer.response();
    }

    AttachPortResponse attach(final AttachPortRequest request)
    {
        final RecordingObserver<AttachPortResponse> observer = new RecordingObserver<>();
        fixture.ports.attach(request, observer);
        return observer.response();
    }

    static AttachPortRequest.Builder port(final String network, final String name)
    {
        return AttachPortRequest.newBuilder().setNetwork(network).setName(name);
    }

    /** A service call given the observer to answer to; raw, so one lambda fits every service's response type. */
    @FunctionalInterface
    interface Call
    {
        @SuppressWarnings("rawtypes")
        void invoke(StreamObserver observer);
    }

    /**
     * Runs a call that must be refused and asserts the status code, the exact one-line message, and
     * that the desired state, the dataplane's configuration and the set of open ports are as before.
     */
    Status assertRejected(final Status.Code code, final String message, final Call call)
    {
        final DesiredState stateBefore = fixture.plane.state();
        final long versionBefore = fixture.dataplane.snapshot().version;
        final int openBefore = fixture.opener.openPorts().size();
        final RecordingObserver<Object> observer = new RecordingObserver<>();
        call.invoke(observer);
        final Status status = observer.status();
        assertEquals(code, status.getCode(), () -> "status of: " + status.getDescription());
        assertFalse(status.getDescription().contains("\n"), "a one-line message");
        if (message != null)
        {
            assertEquals(message, status.getDescription());
        }
        assertEquals(stateBefore, fixture.plane.state(), "desired state changed by a refused call");
        assertEquals(versionBefore, fixture.dataplane.snapshot().version, "dataplane changed by a refused call");
        assertEquals(openBefore, fixture.opener.openPorts().size(), "a refused call left a port open or closed one");
        return status;
    }
}
