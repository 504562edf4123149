// accuracy-family: stranded-consumer
// accuracy-origin: vmware/concord-bft PR #2054 (follow-up #2063), client/concordclient: BasicUpdateQueue (src/event_update_queue.cpp at 09d854b: setException() stores the exception without waking anyone, and the wait in pop() ends only on data or releaseConsumers(); the stored error is looked at before the wait at most, here only by tryPop()) fixed in include/client/concordclient/thread_safe_queue.ipp at 389da10 (the wait also wakes on exception_, setException() notifies, pop() rethrows)
// accuracy-shape: queue=cv-hand-written close=stored-exception pop-closed=null-pointer spawner=std::thread producer=member-function consumer=calling-thread exit=exception-stored wait=pop
//
// A client subscribes to a stream of updates: a background thread receives
// them and pushes them onto the update queue; the application pops them.
// When the stream breaks, the receiver stores the exception in the queue
// and stops. The queue keeps the error for whoever looks, but pop() waits
// only for data or releaseConsumers(): the application's pop() never looks
// at the stored error and waits forever.
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

struct EventUpdate {
  long block_id;
};

class BasicUpdateQueue {
public:
  void releaseConsumers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      release_consumers_ = true;
    }
    condition_.notify_all();
  }

  void push(std::unique_ptr<EventUpdate> update) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_data_.push_back(std::move(update));
    }
    condition_.notify_one();
  }

  // Blocks until an update arrives; nullptr once the consumers are released.
  std::unique_ptr<EventUpdate> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!(release_consumers_ || !queue_data_.empty()))
      condition_.wait(lock);
    if (release_consumers_)
      return nullptr;
    std::unique_ptr<EventUpdate> ret = std::move(queue_data_.front());
    queue_data_.pop_front();
    return ret;
  }

  // Non-blocking; rethrows the stored error.
  std::unique_ptr<EventUpdate> tryPop() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (exception_)
      std::rethrow_exception(exception_);
    if (queue_data_.empty())
      return nullptr;
    std::unique_ptr<EventUpdate> ret = std::move(queue_data_.front());
    queue_data_.pop_front();
    return ret;
  }

  void setException(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mutex_);
    exception_ = e;
  }

private:
  std::list<std::unique_ptr<EventUpdate>> queue_data_;
  std::mutex mutex_;
  std::condition_variable condition_;
  bool release_consumers_ = false;
  std::exception_ptr exception_;
};

class ConcordClient {
public:
  explicit ConcordClient(BasicUpdateQueue &queue) : queue_(queue) {}
  ~ConcordClient() { receiver_.join(); }

  void subscribe(long from_block) {
    receiver_ = std::thread([this, from_block] { receiveUpdates(from_block); });
  }

private:
  void receiveUpdates(long block) {
    try {
      for (;; ++block) {
        if (block == from_block_limit)
          throw std::runtime_error("stream from replica 2 broke: UNAVAILABLE");
        queue_.push(std::make_unique<EventUpdate>(EventUpdate{block}));
      }
    } catch (...) {
      queue_.setException(std::current_exception());
    }
  }

  static constexpr long from_block_limit = 25;
  BasicUpdateQueue &queue_;
  std::thread receiver_;
};

int main() {
  BasicUpdateQueue updates;
  ConcordClient client(updates);
  client.subscribe(1);
  try {
    long last = 0;
    while (auto update = updates.pop()) // accuracy: blocks
      last = update->block_id;
    std::printf("stream ended after block %ld\n", last);
  } catch (const std::exception &e) {
    std::printf("error: subscription failed: %s\n", e.what());
  }
  return 0;
}
