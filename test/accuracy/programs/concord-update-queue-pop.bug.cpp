// accuracy-family: stranded-consumer
// accuracy-origin: vmware/concord-bft PR #2054 (follow-up #2063): BasicUpdateQueue::pop in client/concordclient/src/event_update_queue.cpp and ThinReplicaClient::receiveUpdatesWrapper in client/thin-replica-client/src/thin_replica_client.cpp at 58d3d8a8c^
// accuracy-shape: queue=cv-hand-written-unbounded queue-api=push/pop/tryPop/releaseConsumers/setException error-channel=stored-exception-in-queue spawner=new-std::thread producer=member-function-wrapper consumer=calling-thread exit=throw-caught-and-stored wait=none
//
// A thin replica client streams updates into a queue the application owns.
// The streaming runs on a background thread whose wrapper catches any
// exception, stores it in the queue and stops. tryPop() rethrows a stored
// exception, but the blocking pop() waits until the queue is non-empty or
// its consumers are released, and never looks at the stored exception: once
// the stream fails, an application blocked in pop() waits forever.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct Update {
  std::uint64_t block_id;
  std::vector<std::pair<std::string, std::string>> kv_pairs;
};

class InternalError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
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
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_data_.clear();
  }
  void push(std::unique_ptr<Update> update) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_data_.push_back(std::move(update));
    }
    condition_.notify_one();
  }
  std::unique_ptr<Update> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!(release_consumers_ || queue_data_.size() > 0)) {
      condition_.wait(lock);
    }
    if (release_consumers_) {
      return nullptr;
    }
    std::unique_ptr<Update> ret = std::move(queue_data_.front());
    queue_data_.pop_front();
    return ret;
  }
  std::unique_ptr<Update> tryPop() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (exception_) {
      std::rethrow_exception(exception_);
    }
    if (queue_data_.empty())
      return nullptr;
    std::unique_ptr<Update> ret = std::move(queue_data_.front());
    queue_data_.pop_front();
    return ret;
  }
  void setException(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mutex_);
    exception_ = e;
  }

private:
  std::list<std::unique_ptr<Update>> queue_data_;
  std::mutex mutex_;
  std::condition_variable condition_;
  bool release_consumers_ = false;
  std::exception_ptr exception_;
};

class ThinReplicaClient {
public:
  explicit ThinReplicaClient(std::shared_ptr<BasicUpdateQueue> queue) : update_queue_(std::move(queue)) {}
  ~ThinReplicaClient() { Unsubscribe(); }

  void Subscribe(std::uint64_t block_id) {
    update_queue_->clear();
    latest_verified_block_id_ = block_id > 0 ? block_id - 1 : block_id;
    stop_subscription_thread_ = false;
    subscription_thread_.reset(new std::thread(&ThinReplicaClient::receiveUpdatesWrapper, this));
  }

  void Unsubscribe() {
    stop_subscription_thread_ = true;
    if (subscription_thread_) {
      subscription_thread_->join();
      subscription_thread_.reset();
    }
  }

private:
  // The servers agree on three more blocks, then stop agreeing.
  std::unique_ptr<Update> readVerifiedUpdate() {
    std::uint64_t next = latest_verified_block_id_ + 1;
    if (next > 103)
      throw InternalError("no quorum of thin replica servers agrees on block " + std::to_string(next));
    auto update = std::make_unique<Update>();
    update->block_id = next;
    update->kv_pairs.push_back({"key" + std::to_string(next), "value"});
    return update;
  }

  void receiveUpdates() {
    while (!stop_subscription_thread_) {
      std::unique_ptr<Update> update = readVerifiedUpdate();
      latest_verified_block_id_ = update->block_id;
      update_queue_->push(std::move(update));
    }
  }

  // Wrapper for receiveUpdates to forward exceptions.
  void receiveUpdatesWrapper() {
    try {
      receiveUpdates();
    } catch (...) {
      update_queue_->setException(std::current_exception());
      stop_subscription_thread_ = true;
    }
  }

  std::shared_ptr<BasicUpdateQueue> update_queue_;
  std::unique_ptr<std::thread> subscription_thread_;
  std::atomic<bool> stop_subscription_thread_{false};
  std::uint64_t latest_verified_block_id_ = 0;
};

int main() {
  auto queue = std::make_shared<BasicUpdateQueue>();
  ThinReplicaClient trc(queue);
  trc.Subscribe(100);
  // The application applies the next ten blocks.
  try {
    for (int i = 0; i < 10; ++i) {
      std::unique_ptr<Update> update = queue->pop(); // accuracy: blocks
      if (!update)
        break;
    }
  } catch (const std::exception &e) {
    std::printf("subscription failed: %s\n", e.what());
    return 0;
  }
  std::printf("applied ten blocks\n");
  return 0;
}
