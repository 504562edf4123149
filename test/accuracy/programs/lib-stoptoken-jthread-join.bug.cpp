// accuracy-family: stranded-producer
// accuracy-origin: sansajn/test c++/thread/jthread_with_condition_variable.cpp (std::jthread whose loop waits with condition_variable_any::wait(lock, stop_token, pred) and is ended by request_stop), re-expressed as a bounded queue whose push waits on the producer's own stop_token
// accuracy-shape: queue=cv-any-stop-token spawner=std::jthread producer=jthread-lambda consumer=std::thread exit=return wait=join stop=explicit-join-skips-request_stop
//
// A link checker: a crawler jthread pushes URLs into a bounded queue whose
// push waits with condition_variable_any on the crawler's stop_token, so a
// stop request wakes it. Three fetcher threads take URLs and return on the
// first failed fetch. The network is down, so they all leave at once. The
// owner then joins the crawler explicitly -- and an explicit join() comes
// before the jthread destructor's request_stop(): the crawler stays asleep
// in push, the join never returns.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

template <class T> class StopQueue {
public:
  explicit StopQueue(std::size_t capacity) : capacity_(capacity) {}

  // false when a stop was requested before there was room
  bool push(T value, std::stop_token stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!notFull_.wait(lock, stop, [&] { return items_.size() < capacity_; }))
      return false;
    items_.push_back(std::move(value));
    notEmpty_.notify_one();
    return true;
  }

  std::optional<T> pop(std::stop_token stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!notEmpty_.wait(lock, stop, [&] { return !items_.empty(); }))
      return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    notFull_.notify_one();
    return value;
  }

private:
  std::mutex mutex_;
  std::condition_variable_any notFull_, notEmpty_;
  std::deque<T> items_;
  std::size_t capacity_;
};

struct Report {
  std::mutex mutex;
  std::string firstError;
  void fail(const std::string &what) {
    std::lock_guard<std::mutex> lock(mutex);
    if (firstError.empty())
      firstError = what;
  }
};

// The proxy refuses every connection.
static bool fetch(const std::string &url) { return url.empty(); }

int main() {
  constexpr int kFetchers = 3;
  StopQueue<std::string> frontier(4);
  Report report;
  std::stop_source fetchersStop; // the fetchers' shutdown, requested by no one here

  std::jthread crawler([&](std::stop_token stop) {
    for (int page = 0; page < 300; ++page) {
      std::string url = "https://example.org/page/" + std::to_string(page);
      if (!frontier.push(std::move(url), stop)) // accuracy: blocks
        return;
    }
    for (int i = 0; i < kFetchers; ++i)
      if (!frontier.push(std::string(), stop))
        return;
  });

  std::vector<std::thread> fetchers;
  for (int i = 0; i < kFetchers; ++i)
    fetchers.emplace_back([&] {
      while (std::optional<std::string> url = frontier.pop(fetchersStop.get_token())) {
        if (url->empty())
          return;
        if (!fetch(*url)) {
          report.fail("connection refused");
          return;
        }
      }
    });

  for (auto &f : fetchers)
    f.join();
  crawler.join();

  if (!report.firstError.empty()) {
    std::printf("link check failed: %s\n", report.firstError.c_str());
    return 0;
  }
  std::printf("all links ok\n");
  return 0;
}
