// accuracy-family: stranded-producer
// accuracy-origin: kubernetes PR #105606 (registry.Store.DeleteCollection), re-expressed in C++
// accuracy-shape: queue=cv-hand-written fix=close-after-joining spawner=std::thread producer=lambda consumer=lambda exit=return wait=join
//
// The upstream fix: once the workers have all exited, the distributor is
// told to stop (here: the queue is closed after joining them).
// A distributor pushes item indices into a bounded queue; workers delete
// items and return on the first error, without telling anyone. With the
// store down every worker fails at once, and the distributor blocks in push.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

template <typename T> class Channel {
public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}
  bool send(T value) {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_)
      return false;
    items_.push_back(std::move(value));
    data_.notify_one();
    return true;
  }
  bool receive(T &out) {
    std::unique_lock<std::mutex> lock(mutex_);
    data_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    room_.notify_all();
    data_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable room_, data_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

struct Store {
  bool available = false;
  bool remove(const std::string &) const { return available; }
};

int deleteCollection(const Store &store, const std::vector<std::string> &items,
                     int workers) {
  Channel<std::size_t> toProcess(2 * workers);
  Channel<std::string> errors(workers + 1);
  std::thread distributor([&] {
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!toProcess.send(i))
        return;
    toProcess.close();
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      std::size_t index;
      while (toProcess.receive(index)) {
        if (!store.remove(items[index])) {
          errors.send("delete " + items[index] + " failed");
          return;
        }
      }
    });
  for (auto &t : pool)
    t.join();
  toProcess.close(); // the workers have all gone: wake the distributor
  distributor.join();
  errors.close();
  std::string first;
  if (errors.receive(first)) {
    std::printf("error: %s\n", "a delete failed");
    return 1;
  }
  return 0;
}

int main() {
  std::vector<std::string> items;
  for (int i = 0; i < 100; ++i)
    items.push_back("pod-" + std::to_string(i));
  Store store; // etcd is down: every delete fails
  deleteCollection(store, items, 4);
  return 0;
}
