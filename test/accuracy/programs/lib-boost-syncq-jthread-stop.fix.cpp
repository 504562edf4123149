// accuracy-family: stranded-consumer
// accuracy-origin: oldrev/edgelink src/dataflow/filter.queued.cpp (commit 1002e1a: QueuedFilter's jthread loops on boost::sync_bounded_queue::wait_pull_front; stop() calls request_stop() and join() but never closes the queue), re-expressed
// accuracy-shape: queue=boost::sync_bounded_queue spawner=std::jthread producer=calling-thread consumer=jthread-lambda exit=stop-request wait=join stop=token-not-seen-by-pull fix=close-before-join
// accuracy-flags: -lboost_thread
//
// The fix: stop() closes the queue before joining, and the loop leaves
// when wait_pull_front reports the queue closed.
// A dataflow engine: a queued filter node relays messages from a
// boost::sync_bounded_queue on its own jthread and looks at its stop token
// after every message. When the source fails, the engine waits until the
// sink has the messages already sent, then stops the filter: request_stop()
// and join(). The filter thread is asleep in wait_pull_front on the empty
// queue, which nobody closes; a stop request does not wake it, so the join
// never returns.
#include <boost/thread/concurrent_queues/queue_op_status.hpp>
#include <boost/thread/sync_bounded_queue.hpp>

#include <cstdio>
#include <latch>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

struct Msg {
  int id = 0;
  std::string payload;
};

class LoggedSink {
public:
  explicit LoggedSink(int expected) : delivered_(expected) {}
  void relay(const std::shared_ptr<Msg> &msg) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      received_.push_back(msg->id);
    }
    delivered_.count_down();
  }
  void waitDelivered() { delivered_.wait(); }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_.size();
  }

private:
  std::mutex mutex_;
  std::vector<int> received_;
  std::latch delivered_;
};

class QueuedFilter {
public:
  QueuedFilter(LoggedSink &sink, std::size_t capacity)
      : sink_(sink), queue_(capacity) {}

  void start() {
    if (thread_.joinable())
      return;
    thread_ = std::jthread([this](std::stop_token stoken) {
      for (;;) {
        std::shared_ptr<Msg> msg;
        if (queue_.wait_pull_front(msg) != boost::queue_op_status::success)
          break; // closed and drained
        if (stoken.stop_requested())
          break;
        sink_.relay(msg);
      }
    });
  }

  void stop() {
    if (thread_.joinable()) {
      queue_.close(); // wakes the thread in wait_pull_front
      thread_.request_stop();
      thread_.join();
    }
  }

  void receive(const std::shared_ptr<Msg> &msg) { queue_.wait_push_back(msg); }

private:
  LoggedSink &sink_;
  boost::sync_bounded_queue<std::shared_ptr<Msg>> queue_;
  std::jthread thread_;
};

// A serial-port source: three readings, then the port disappears.
static bool readSerial(int index, std::string &line) {
  if (index == 3)
    return false;
  line = "temp=" + std::to_string(20 + index);
  return true;
}

int main() {
  constexpr int kReadings = 3;
  LoggedSink sink(kReadings);
  QueuedFilter filter(sink, 100);
  filter.start();

  std::string line;
  int index = 0;
  while (readSerial(index, line)) {
    auto msg = std::make_shared<Msg>();
    msg->id = index++;
    msg->payload = line;
    filter.receive(msg);
  }
  std::printf("source stopped: serial port closed after %d readings\n", index);

  sink.waitDelivered();
  filter.stop();
  std::printf("flow stopped, sink has %zu messages\n", sink.count());
  return 0;
}
