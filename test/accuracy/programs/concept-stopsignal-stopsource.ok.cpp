// accuracy-family: stranded-producer
// accuracy-origin: kubernetes PR #105606 (DeleteCollection's distributor selects on a second channel closed once the workers have exited), re-expressed in C++ with std::stop_token: the distributor is a std::jthread whose push waits on a std::condition_variable_any with its stop token
// accuracy-shape: queue=cv-any-hand-written push=stop-token-wait stop=std::stop_source spawner=std::jthread producer=lambda consumer=lambda exit=return wait=join+request_stop
//
// Workers return on their first delete error without closing anything. The
// distributor's push waits with its jthread's stop token, so a stop request
// wakes it; the parent joins the workers and then asks the distributor to
// stop, and the distributor's push returns false and it leaves. Correct.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

template <typename T> class WorkQueue {
public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}

  // Blocks while full; false if a stop was requested or the queue closed.
  bool push(T value, std::stop_token stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!notFull_.wait(lock, stop,
                       [&] { return finished_ || items_.size() < capacity_; }))
      return false; // stop requested
    if (finished_)
      return false;
    items_.push_back(std::move(value));
    notEmpty_.notify_one();
    return true;
  }

  bool pop(T &out) {
    std::unique_lock<std::mutex> lock(mutex_);
    notEmpty_.wait(lock, [&] { return finished_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    notFull_.notify_one();
    return true;
  }

  void finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
    notFull_.notify_all();
    notEmpty_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable_any notFull_, notEmpty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool finished_ = false;
};

static bool deleteObject(const std::string &) { return false; } // etcd is down

int main() {
  std::vector<std::string> items;
  for (int i = 0; i < 100; ++i)
    items.push_back("configmap-" + std::to_string(i));
  const int workers = 4;
  WorkQueue<std::size_t> toProcess(2 * workers);

  std::jthread distributor([&](std::stop_token stop) {
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!toProcess.push(i, stop))
        return;
    toProcess.finish();
  });

  int failures = 0;
  std::mutex failuresMutex;
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      std::size_t index;
      while (toProcess.pop(index))
        if (!deleteObject(items[index])) {
          std::lock_guard<std::mutex> lock(failuresMutex);
          ++failures;
          return;
        }
    });
  for (auto &t : pool)
    t.join();
  distributor.request_stop(); // the workers have all exited
  distributor.join();

  std::printf("error: %d workers stopped on a delete error\n", failures);
  return 0;
}
