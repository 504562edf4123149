// accuracy-family: stranded-consumer
// accuracy-origin: vmware/concord-bft PR #2054 (follow-up #2063): BasicUpdateQueue::pop in client/concordclient/src/event_update_queue.cpp at 58d3d8a8c^ (the exception is checked once, before the wait), fed by a pulled stream; re-expressed
// accuracy-shape: queue=cv-hand-written-unbounded queue-api=pushBatch/pop/releaseConsumers/setException error-channel=stored-exception-in-queue check=before-wait-only spawner=std::thread producer=member-function-wrapper consumer=thread-lambda exit=throw-caught-and-stored fix=wait-wakes-on-stored-exception wait=join
//
// An event service forwards event groups from a concord client to a
// subscriber. The client's streaming thread pulls a new batch from the
// replicas only when the queue has run dry and a reader is waiting for it
// (the queue tells it so), and stores any exception in the queue. pop()
// rethrows a stored exception, but only on entry: a reader that is already
// waiting when the stream fails is never woken, because the wait looks at
// the queue's contents and the release flag only.
//
// The upstream fix: the wait also wakes on a stored exception, pop()
// rethrows it after the wait, and setException() notifies.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>

struct EventGroup {
  std::uint64_t id;
  std::string events;
};
struct LegacyEvent {
  std::uint64_t block_id;
};
using EventVariant = std::variant<EventGroup, LegacyEvent>;

class UpdateNotFound : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class BasicUpdateQueue {
public:
  void pushBatch(std::list<std::unique_ptr<EventVariant>> batch) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_data_.splice(queue_data_.end(), batch);
    }
    condition_.notify_all();
  }
  std::unique_ptr<EventVariant> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!(exception_ || release_consumers_ || queue_data_.size() > 0)) {
      wants_more_ = true; // ask the streaming thread for the next batch
      demand_.notify_one();
      condition_.wait(lock);
    }
    if (exception_) {
      std::rethrow_exception(exception_);
    }
    if (release_consumers_) {
      return nullptr;
    }
    std::unique_ptr<EventVariant> ret = std::move(queue_data_.front());
    queue_data_.pop_front();
    return ret;
  }
  // For the streaming thread: wait until a reader waits on an empty queue;
  // false once the consumers are released.
  bool waitForDemand() {
    std::unique_lock<std::mutex> lock(mutex_);
    demand_.wait(lock, [&] { return (wants_more_ && queue_data_.empty()) || release_consumers_; });
    wants_more_ = false;
    return !release_consumers_;
  }
  void releaseConsumers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      release_consumers_ = true;
    }
    condition_.notify_all();
    demand_.notify_all();
  }
  void setException(std::exception_ptr e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      exception_ = e;
    }
    condition_.notify_all();
  }

private:
  std::list<std::unique_ptr<EventVariant>> queue_data_;
  std::mutex mutex_;
  std::condition_variable condition_, demand_;
  bool release_consumers_ = false;
  bool wants_more_ = false;
  std::exception_ptr exception_;
};

class ConcordClient {
public:
  void subscribe(std::uint64_t event_group_id, std::shared_ptr<BasicUpdateQueue> queue) {
    queue_ = std::move(queue);
    next_id_ = event_group_id;
    stream_ = std::thread([this] { receiveUpdatesWrapper(); });
  }
  void unsubscribe() {
    stop_ = true;
    if (queue_)
      queue_->releaseConsumers();
    if (stream_.joinable())
      stream_.join();
  }

private:
  // The replicas hold event groups 10..15; the subscriber asked for more.
  std::list<std::unique_ptr<EventVariant>> readBatch() {
    if (next_id_ > 15)
      throw UpdateNotFound("event group " + std::to_string(next_id_) + " is not available yet");
    std::list<std::unique_ptr<EventVariant>> batch;
    for (int i = 0; i < 3; ++i, ++next_id_)
      batch.push_back(std::make_unique<EventVariant>(EventGroup{next_id_, "e"}));
    return batch;
  }
  void receiveUpdates() {
    while (!stop_ && queue_->waitForDemand())
      queue_->pushBatch(readBatch());
  }
  void receiveUpdatesWrapper() {
    try {
      receiveUpdates();
    } catch (...) {
      queue_->setException(std::current_exception());
      stop_ = true;
    }
  }

  std::shared_ptr<BasicUpdateQueue> queue_;
  std::thread stream_;
  std::atomic<bool> stop_{false};
  std::uint64_t next_id_ = 0;
};

int main() {
  ConcordClient client;
  auto update_queue = std::make_shared<BasicUpdateQueue>();
  client.subscribe(10, update_queue);
  std::optional<std::string> status;
  // The service's stream writer: forward twenty event groups.
  std::thread writer([&] {
    try {
      for (int sent = 0; sent < 20; ++sent) {
        std::unique_ptr<EventVariant> update = update_queue->pop();
        if (!update)
          return;
      }
      status = "OK";
    } catch (const UpdateNotFound &e) {
      status = std::string("NOT_FOUND: ") + e.what();
    }
  });
  writer.join();
  client.unsubscribe();
  std::printf("subscribe finished with %s\n", status ? status->c_str() : "CANCELLED");
  return 0;
}
