package org.visualscratchpad.torch.lifetime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.visualscratchpad.ScratchpadException;

/** Reference counting and the Cleaner safety net, without a model. */
class LifetimeTest {

  /** A resource that counts how often it was freed. */
  static final class Resource implements AutoCloseable {
    final AtomicInteger freed = new AtomicInteger();

    @Override
    public void close() {
      freed.incrementAndGet();
    }
  }

  @Test
  void close_waits_for_the_call_in_flight_and_frees_once_after_it() throws Exception {
    Resource r = new Resource();
    Object owner = new Object();
    Lifetime life = Lifetime.of(owner, "Model m", r);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread call = new Thread(() -> {
      try (Lifetime.Call c = life.enter()) {
        inside.countDown();
        finish.await();
        assertEquals(0, r.freed.get(), "freed under a running call");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    call.start();
    assertTrue(inside.await(10, TimeUnit.SECONDS));
    Thread closer = new Thread(life::close);
    closer.start();
    closer.join(300);
    assertTrue(closer.isAlive(), "close() returned while a call was in flight");
    assertTrue(life.isClosed());
    ScratchpadException e = assertThrows(ScratchpadException.class, life::enter);
    assertTrue(e.getMessage().startsWith("Model m is closed"), e.getMessage());
    assertEquals(0, r.freed.get());
    finish.countDown();
    closer.join(10_000);
    call.join(10_000);
    assertFalse(closer.isAlive());
    assertEquals(1, r.freed.get());
    life.close();
    assertEquals(1, r.freed.get(), "a second close frees nothing more");
    assertEquals(0, life.callsInFlight());
    java.lang.ref.Reference.reachabilityFence(owner);
  }

  @Test
  void closing_from_inside_a_call_does_not_wait_for_itself_and_frees_when_it_returns() {
    Resource r = new Resource();
    Object owner = new Object();
    Lifetime life = Lifetime.of(owner, "Model m", r);
    try (Lifetime.Call c = life.enter()) {
      life.close();
      assertEquals(0, r.freed.get(), "freed under the calling call");
      assertThrows(ScratchpadException.class, life::enter);
    }
    assertEquals(1, r.freed.get());
    java.lang.ref.Reference.reachabilityFence(owner);
  }

  @Test
  void an_interrupted_close_stops_waiting_and_the_last_call_frees() throws Exception {
    Resource r = new Resource();
    Object owner = new Object();
    Lifetime life = Lifetime.of(owner, "Model m", r);
    Lifetime.Call c = life.enter();
    Thread closer = new Thread(() -> {
      life.close();
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is kept");
    });
    closer.start();
    closer.join(200);
    closer.interrupt();
    closer.join(10_000);
    assertFalse(closer.isAlive());
    assertEquals(0, r.freed.get());
    c.close();
    assertEquals(1, r.freed.get());
    java.lang.ref.Reference.reachabilityFence(owner);
  }

  @Test
  void an_unclosed_owner_that_becomes_unreachable_has_its_resources_freed() throws Exception {
    Resource r = new Resource();
    Lifetime.of(new Object(), "Model m", r);   // the owner is garbage at once
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (r.freed.get() == 0 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertEquals(1, r.freed.get(), "the Cleaner freed the resources of an unreachable, unclosed owner");
  }
}
