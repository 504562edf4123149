// accuracy-family: stranded-consumer
// accuracy-origin: hans2001/cpp-thread-pool include/tp/blocking_queue.hpp and docs/blocking_queue.md (push() returns false after close(); pop() returns std::nullopt once closed and empty; close() wakes all waiters), in the distributor/worker split of kubernetes registry.Store.DeleteCollection (PR #105606)
// accuracy-shape: queue=cv-hand-written push-closed=bool pop-closed=empty-optional close=seal close-caller=consumer spawner=std::thread+std::jthread producer=lambda consumer=lambda exit=return wait=join+jthread-destructor
//
// A distributor offers image ids to thumbnail workers. The codec is missing,
// so every worker fails its first image, seals the channel and returns. The
// distributor's offer() then reports false and the distributor returns
// without sealing: that early return strands nobody, because the channel it
// stops feeding is already sealed and every waiting poll() has been woken.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

template <typename T> class Channel {
public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}

  bool offer(T item) {
    std::unique_lock<std::mutex> lk(mu_);
    notFull_.wait(lk, [&] { return sealed_ || items_.size() < capacity_; });
    if (sealed_)
      return false;
    items_.push_back(std::move(item));
    notEmpty_.notify_one();
    return true;
  }

  std::optional<T> poll() {
    std::unique_lock<std::mutex> lk(mu_);
    notEmpty_.wait(lk, [&] { return sealed_ || !items_.empty(); });
    if (items_.empty())
      return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    notFull_.notify_one();
    return item;
  }

  void seal() {
    std::lock_guard<std::mutex> lk(mu_);
    sealed_ = true;
    notFull_.notify_all();
    notEmpty_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable notFull_, notEmpty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool sealed_ = false;
};

struct Codec {
  bool available = false;
  bool thumbnail(int) const { return available; }
};

int main() {
  const Codec codec;
  const int images = 500;
  Channel<int> pending(3);

  std::thread distributor([&] {
    for (int id = 0; id < images; ++id)
      if (!pending.offer(id))
        return; // sealed by a worker: stop distributing
    pending.seal();
  });

  bool failed = false;
  std::mutex failedMu;
  {
    std::vector<std::jthread> workers;
    for (int w = 0; w < 4; ++w)
      workers.emplace_back([&] {
        while (auto id = pending.poll()) {
          if (!codec.thumbnail(*id)) {
            {
              std::lock_guard<std::mutex> lk(failedMu);
              failed = true;
            }
            pending.seal();
            return;
          }
        }
      });
  }
  distributor.join();
  if (failed)
    std::printf("error: thumbnailing failed: codec unavailable\n");
  return 0;
}
