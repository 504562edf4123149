// accuracy-family: stranded-producer
// accuracy-origin: confluentinc/librdkafka src/rdkafka.h, RD_KAFKA_MSG_F_BLOCK ("the application MUST call rd_kafka_poll() ... to make sure delivered messages are drained from the internal delivery report queue. Failure to do so will result in indefinately blocking on the produce() call"), and the application-side poll thread it asks for
// accuracy-shape: queue=cv-counted-buffer spawner=class-constructor+std::thread producer=calling-thread-member-function consumer=lambda-poll-loop exit=break wait=inside-produce
//
// A librdkafka-like producer: produce() with MSG_F_BLOCK waits while
// queue.buffering.max.messages messages are outstanding; a message stops
// counting only once its delivery report has been served by poll(). The
// application runs a poll thread, which gives up at the first failed
// delivery. The topic does not exist, so every delivery fails: the poll
// thread leaves after the first report and the application blocks in
// produce() for good.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kafka {

enum class ErrorCode { NoError, UnknownTopicOrPart, QueueFull };

inline const char *err2str(ErrorCode err) {
  switch (err) {
  case ErrorCode::NoError:
    return "Success";
  case ErrorCode::UnknownTopicOrPart:
    return "Broker: Unknown topic or partition";
  case ErrorCode::QueueFull:
    return "Local: Queue full";
  }
  return "?";
}

constexpr int MSG_F_COPY = 0x2;
constexpr int MSG_F_BLOCK = 0x4;

struct Message {
  std::string topic;
  std::string payload;
  ErrorCode err = ErrorCode::NoError;
};

using DeliveryReportCb = std::function<void(const Message &)>;

class Producer {
public:
  Producer(std::size_t max_messages, DeliveryReportCb dr_cb)
      : max_msgs_(max_messages), dr_cb_(std::move(dr_cb)),
        broker_thread_([this] { broker_main(); }) {}

  ~Producer() {
    {
      std::lock_guard<std::mutex> lock(lock_);
      terminating_ = true;
    }
    xmit_cnd_.notify_all();
    broker_thread_.join();
  }

  ErrorCode produce(const std::string &topic, const std::string &payload,
                    int msgflags) {
    std::unique_lock<std::mutex> lock(lock_);
    if (curr_msgs_ >= max_msgs_) {
      if (!(msgflags & MSG_F_BLOCK))
        return ErrorCode::QueueFull;
      msgs_cnd_.wait(lock, [this] { return curr_msgs_ < max_msgs_; });
    }
    ++curr_msgs_;
    xmitq_.push_back(Message{topic, payload});
    xmit_cnd_.notify_one();
    return ErrorCode::NoError;
  }

  // Serves queued delivery reports; waits up to timeout_ms for the first.
  int poll(int timeout_ms) {
    std::deque<Message> reports;
    {
      std::unique_lock<std::mutex> lock(lock_);
      dr_cnd_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                       [this] { return !drq_.empty(); });
      reports.swap(drq_);
    }
    for (const Message &m : reports) {
      dr_cb_(m);
      std::lock_guard<std::mutex> lock(lock_);
      --curr_msgs_;
      msgs_cnd_.notify_one();
    }
    return static_cast<int>(reports.size());
  }

private:
  // The broker thread: every produce request fails, the topic is unknown.
  void broker_main() {
    std::unique_lock<std::mutex> lock(lock_);
    for (;;) {
      xmit_cnd_.wait(lock, [this] { return terminating_ || !xmitq_.empty(); });
      if (terminating_)
        return;
      Message m = std::move(xmitq_.front());
      xmitq_.pop_front();
      m.err = ErrorCode::UnknownTopicOrPart;
      drq_.push_back(std::move(m));
      dr_cnd_.notify_one();
    }
  }

  std::mutex lock_;
  std::condition_variable msgs_cnd_, xmit_cnd_, dr_cnd_;
  std::size_t max_msgs_;
  std::size_t curr_msgs_ = 0;
  std::deque<Message> xmitq_, drq_;
  bool terminating_ = false;
  DeliveryReportCb dr_cb_;
  std::thread broker_thread_;
};

} // namespace kafka

struct DeliveryStats {
  std::mutex mutex;
  bool failed = false;
  std::string first_error;
};

int main() {
  DeliveryStats stats;
  kafka::Producer producer(
      /*queue.buffering.max.messages=*/16, [&](const kafka::Message &m) {
        std::lock_guard<std::mutex> lock(stats.mutex);
        if (m.err != kafka::ErrorCode::NoError && !stats.failed) {
          stats.failed = true;
          stats.first_error = kafka::err2str(m.err);
        }
      });

  std::atomic<bool> run{true};
  std::thread poller([&] {
    while (run) {
      producer.poll(100);
      std::lock_guard<std::mutex> lock(stats.mutex);
      if (stats.failed)
        break; // nothing more to learn from the delivery reports
    }
  });

  for (int i = 0; i < 1000; ++i) {
    std::string payload = "order-" + std::to_string(i);
    producer.produce("orders", payload, kafka::MSG_F_COPY | kafka::MSG_F_BLOCK); // accuracy: blocks
  }

  run = false;
  poller.join();
  if (stats.failed) {
    std::printf("delivery failed: %s\n", stats.first_error.c_str());
    return 0;
  }
  std::printf("all delivered\n");
  return 0;
}
