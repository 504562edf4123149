// accuracy-family: stranded-consumer
// accuracy-origin: Boost.Thread boost/thread/concurrent_queues/sync_bounded_queue.hpp (wait_push_back() returns queue_op_status::closed when the queue is closed on entry and throws sync_queue_is_closed when it is closed while the push waits; wait_pull_front() returns closed once closed and empty; close() wakes both sides)
// accuracy-shape: queue=boost-sync-bounded-queue push-closed=status-enum+exception pop-closed=status-enum close=close close-caller=consumer spawner=boost::thread+asio-thread-pool producer=free-function consumer=lambda exit=return wait=join+pool-join
// accuracy-flags: -lboost_thread
//
// A metrics exporter: a boost::thread samples counters into a bounded
// sync_bounded_queue; writers posted to an asio thread pool store them. The
// store is read-only, every writer closes the queue and returns. The sampler
// returns as soon as its push reports the close (a status, or the exception a
// push that was already waiting gets), without closing anything itself.
// Correct: the writers already closed the queue.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/thread/concurrent_queues/sync_bounded_queue.hpp>
#include <boost/thread/thread.hpp>
#include <atomic>
#include <cstdio>

using boost::concurrent::queue_op_status;
using Samples = boost::concurrent::sync_bounded_queue<long>;

enum class SamplerExit { finished, queueClosed };

static SamplerExit sampleCounters(Samples &samples, long count) {
  try {
    for (long i = 0; i < count; ++i)
      if (samples.wait_push_back(i * 10) == queue_op_status::closed)
        return SamplerExit::queueClosed;
  } catch (const boost::sync_queue_is_closed &) {
    return SamplerExit::queueClosed;
  }
  samples.close();
  return SamplerExit::finished;
}

static bool store(long) { return false; } // EROFS

int main() {
  Samples samples(4);
  SamplerExit exit = SamplerExit::finished;
  boost::thread sampler([&] { exit = sampleCounters(samples, 2000); });

  std::atomic<bool> storeFailed{false};
  boost::asio::thread_pool writers(3);
  for (int w = 0; w < 3; ++w)
    boost::asio::post(writers, [&] {
      long value;
      while (samples.wait_pull_front(value) == queue_op_status::success) {
        if (!store(value)) {
          storeFailed = true;
          samples.close();
          return;
        }
      }
    });
  writers.join();
  sampler.join();
  if (storeFailed)
    std::printf("error: storing samples failed: read-only file system\n");
  if (exit == SamplerExit::queueClosed)
    std::printf("sampler stopped: queue closed\n");
  return 0;
}
