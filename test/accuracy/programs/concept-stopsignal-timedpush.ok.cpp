// accuracy-family: stranded-producer
// accuracy-origin: kubernetes PR #105606 (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go DeleteCollection after the fix: the distributor selects on `toProcess <- i` and on a workersExited channel closed once every worker has returned), re-expressed in C++ as a timed push that watches a stop flag
// accuracy-shape: queue=cv-hand-written push=timed-slice stop=atomic-flag-set-after-workers-exit spawner=std::thread producer=lambda consumer=lambda exit=return wait=join
//
// The upstream fix's shape: workers still return on their first delete
// error without a word, but the parent, once it has joined them, sets
// workersExited; the distributor pushes in 5 ms slices and, between
// slices, checks that flag, so it stops sending and returns. The select on
// two channels becomes a timed push in a loop that watches the stop flag.
// Correct.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

template <typename T> class Channel {
public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}

  // Waits at most `timeout` for room; false if there was none (or closed).
  bool sendFor(T value, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!room_.wait_for(lock, timeout,
                        [&] { return closed_ || items_.size() < capacity_; }))
      return false;
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

static int deleteCollection(const Store &store,
                            const std::vector<std::string> &items, int workers) {
  Channel<std::size_t> toProcess(2 * workers);
  std::atomic<bool> workersExited{false};
  std::atomic<bool> failed{false};

  std::thread distributor([&] {
    for (std::size_t i = 0; i < items.size(); ++i) {
      // select { case toProcess <- i: case <-workersExited: return }
      while (!toProcess.sendFor(i, 5ms))
        if (workersExited.load())
          return;
    }
    toProcess.close();
  });

  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      std::size_t index;
      while (toProcess.receive(index)) {
        if (!store.remove(items[index])) {
          failed = true;
          return;
        }
      }
    });
  for (auto &t : pool)
    t.join();
  workersExited = true; // close(workersExited)
  distributor.join();

  if (failed) {
    std::printf("error: deleting the collection failed: etcd unavailable\n");
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
