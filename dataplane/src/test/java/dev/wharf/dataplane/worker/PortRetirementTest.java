package dev.wharf.dataplane.worker;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Await;
import dev.wharf.dataplane.testing.GatedPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A detached port is closed only after every worker has moved to a snapshot without it, however late a
 * worker is: a worker is held inside a send, mid-batch, with a frame of the detached port in its hands.
 * Waits are bounded (they end as soon as the state is reached); nothing here asserts on time.
 */
class PortRetirementTest
{
    private static final long BOUND_MS = 10_000;
    private static final int SUBNET = 0x0A000000;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Dataplane dataplane = new Dataplane(DataplaneConfiguration.defaults().withErrorHandler(errors::add));
    private final GatedPort a = new GatedPort("a");
    private final GatedPort b = new GatedPort("b");

    @AfterEach
    void tearDown()
    {
        a.open();
        dataplane.close();
    }

    private int network()
    {
        return dataplane.addNetwork("n", SUBNET, 24, SUBNET | 1, 0x02420a000001L);
    }

    /** Starts the workers with a and b attached, and holds the worker in a's send with b's frame in its batch. */
    private int[] holdWorkerWithFrameOfB(final byte[] frame) throws InterruptedException
    {
        final int network = network();
        final int idA = dataplane.attachPort(network, a, false, 0, new int[0], 0);
        final int idB = dataplane.attachPort(network, b, false, 0, new int[0], 0);
        dataplane.start();
        a.holdNextSend();
        b.inject(frame); // to a MAC nobody learned: flooded to a
        assertTrue(a.awaitHeld(BOUND_MS), "the worker reached a's send");
        assertEquals(1, b.outstanding(), "the worker holds b's frame");
        return new int[]{idA, idB};
    }

    @Test
    void aDetachedPortStaysOpenWhileAWorkerHoldsItAndClosesWhenTheWorkerMovesOn() throws InterruptedException
    {
        final byte[] frame = Fixture.frame("udp_a_to_b");
        final int[] ids = holdWorkerWithFrameOfB(frame);

        // the wait runs out while the worker is held: that must not close the port
        assertFalse(dataplane.detachPort(ids[1], 50), "detach returns with the port still open");
        assertEquals(1, dataplane.retiringPorts());
        assertEquals(0, dataplane.reclaimRetired(), "nothing to close while the worker holds the old snapshot");
        assertNull(dataplane.snapshot().port(ids[1]), "the port is out of the dataplane's configuration");
        assertFalse(b.isClosed(), "b is open while the worker can still read its frame");

        // the same interface name again, while the old port waits: a new port with a new id
        final GatedPort again = new GatedPort("b");
        final int idAgain = dataplane.attachPort(dataplane.snapshot().port(ids[0]).network, again, false, 0, new int[0], 0);
        assertNotEquals(ids[1], idAgain, "a retiring port's id is not handed out again");
        assertFalse(b.isClosed());

        a.open();
        awaitUntil(b::isClosed, "b is closed once the worker let go");
        assertEquals(0, b.outstandingAtClose(), "no frame of b was still in a worker's hands when it closed");
        assertEquals(0, b.usesAfterClose(), "no worker touched b after it closed");
        assertEquals(0, dataplane.retiringPorts());
        assertArrayEquals(frame, a.sent().get(0), "the held worker read b's frame, intact, after the detach");

        again.inject(frame);
        awaitUntil(() -> a.sent().size() == 2, "the port attached again under the old name forwards");
        assertArrayEquals(frame, a.sent().get(1));
        assertFalse(again.isClosed());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void closingTheDataplaneWaitsForTheWorkerThenClosesTheRetiringPortToo() throws InterruptedException
    {
        final int[] ids = holdWorkerWithFrameOfB(Fixture.frame("udp_a_to_b"));
        assertFalse(dataplane.detachPort(ids[1], 0));

        final Thread closer = new Thread(dataplane::close, "closer");
        closer.start();
        awaitUntil(() -> closer.getState() == Thread.State.TIMED_WAITING || closer.getState() == Thread.State.WAITING,
            "close waits for the worker thread");
        assertFalse(b.isClosed(), "the shutdown does not close b under the held worker");
        assertFalse(a.isClosed());

        a.open();
        closer.join(BOUND_MS);
        assertFalse(closer.isAlive(), "close returned once the worker ended");
        assertTrue(b.isClosed(), "the retiring port is closed by the shutdown");
        assertTrue(a.isClosed(), "the attached port is closed by the shutdown");
        assertEquals(0, b.outstandingAtClose());
        assertEquals(0, b.usesAfterClose());
        assertEquals(0, a.usesAfterClose());
        assertEquals(0, dataplane.retiringPorts());
    }

    @Test
    void withoutRunningWorkersADetachClosesAtOnce()
    {
        final int id = dataplane.attachPort(network(), b, false, 0, new int[0], 0);

        assertTrue(dataplane.detachPort(id));
        assertTrue(b.isClosed());
        assertEquals(0, dataplane.retiringPorts());
        assertEquals(id, dataplane.attachPort(0, a, false, 0, new int[0], 0), "the id is free again");
    }

    @Test
    void aDetachThatTheWorkersFollowPromptlyClosesBeforeItReturns() throws InterruptedException
    {
        final int network = network();
        final int id = dataplane.attachPort(network, b, false, 0, new int[0], 0);
        dataplane.start();

        assertTrue(dataplane.detachPort(id, BOUND_MS));
        assertTrue(b.isClosed());
        assertEquals(0, b.usesAfterClose());
    }

    @Test
    void aWorkerErrorGoesToTheConfiguredHandlerAndTheWorkerCarriesOn() throws InterruptedException
    {
        final int network = network();
        dataplane.attachPort(network, a, false, 0, new int[0], 0);
        dataplane.attachPort(network, b, false, 0, new int[0], 0);
        final IllegalStateException failure = new IllegalStateException("a node's bug");
        b.failNextReceive(failure);
        dataplane.start();

        awaitUntil(() -> !errors.isEmpty(), "the handler heard of the error");
        assertSame(failure, errors.get(0));
        assertEquals(1, dataplane.workerErrors());
        b.inject(Fixture.frame("udp_a_to_b"));
        awaitUntil(() -> a.sent().size() == 1, "the worker forwards after the error");
    }

    private static void awaitUntil(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        Await.until(condition, BOUND_MS, what);
    }
}
