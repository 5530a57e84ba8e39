package dev.wharf.dataplane.trace;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-over of finished records from workers to the reader: bounded, never waiting, nothing lost
 * while the queue has room, and what does not fit counted.
 */
class TraceSessionTest
{
    private static TraceRecord record(final long sequence, final int worker)
    {
        return new TraceRecord(sequence, worker, 0, System.nanoTime(), List.of());
    }

    private static List<Long> sequences(final List<TraceRecord> records)
    {
        return records.stream().map(TraceRecord::sequence).toList();
    }

    @Test
    void recordsThatFindTheQueueFullAreCountedAsLostAndReadingMakesRoom()
    {
        final TraceSession trace = new TraceSession(8, TraceSession.ANY_PORT, 4);
        for (int i = 0; i < 6; i++)
        {
            assertTrue(trace.claim(3));
            trace.complete(record(trace.nextSequence(), 0));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), sequences(trace.records()));
        assertEquals(2, trace.lost());

        for (int i = 0; i < 2; i++)
        {
            assertTrue(trace.claim(3));
            trace.complete(record(trace.nextSequence(), 0));
        }
        assertFalse(trace.claim(3), "the budget of eight is spent");
        assertEquals(List.of(1L, 2L, 3L, 4L, 7L, 8L), sequences(trace.records()), "what was read stays; the two after it fit");
        assertEquals(2, trace.lost());
    }

    @Test
    void everyRecordOfConcurrentWorkersArrivesInClaimOrder() throws Exception
    {
        final int workers = 4;
        final int perWorker = 2_000;
        final TraceSession trace = new TraceSession(workers * perWorker, TraceSession.ANY_PORT);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++)
        {
            final int worker = w;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                while (trace.claim(worker))
                {
                    trace.complete(record(trace.nextSequence(), worker));
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        // read while the workers still complete, as the control plane may
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (trace.records().size() < workers * perWorker && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        for (final Thread thread : threads)
        {
            thread.join(10_000);
        }

        final List<TraceRecord> records = trace.records();
        assertEquals(workers * perWorker, records.size());
        assertEquals(0, trace.lost());
        for (int i = 0; i < records.size(); i++)
        {
            assertEquals(i + 1, records.get(i).sequence());
        }
    }
}
