// accuracy-family: join-before-drain
// accuracy-origin: kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go DeleteCollection (errs := make(chan error, workersNumber+1): every worker sends at most one error and returns, the channel is read only after wg.Wait()), re-expressed in C++ as a site checker that also sizes its results channel to the work
// accuracy-shape: queue=cv-bounded-close spawner=std::thread producer=lambda consumer=calling-thread exit=return-after-send wait=join capacity=covers-every-send
//
// Correct: a link checker fills and closes its work queue before starting
// the checker threads. A checker sends one result per page that answers,
// and on its first failure sends one error and returns. The calling thread
// joins every checker before it reads either channel -- which is safe: the
// results channel holds one slot per URL and the errors channel one per
// checker plus one, so no send can ever wait.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

template <typename T> class Chan {
public:
  explicit Chan(std::size_t capacity) : capacity_(capacity) {}
  void send(T v) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(v));
    not_empty_.notify_one();
  }
  std::optional<T> recv() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return std::nullopt;
    T v = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

struct Response {
  int status = 0;
  std::string reason;
};

// Stands in for HTTP: the mirror that serves /archive/ is down.
static Response head(const std::string &url) {
  if (url.find("/archive/") != std::string::npos)
    return {503, "Service Unavailable"};
  return {200, "OK"};
}

int main() {
  std::vector<std::string> urls;
  for (int i = 0; i < 60; ++i)
    urls.push_back("https://example.org/docs/page-" + std::to_string(i));
  for (int i = 0; i < 40; ++i)
    urls.push_back("https://example.org/archive/2019/post-" + std::to_string(i));

  Chan<std::string> work(urls.size());
  for (const auto &u : urls)
    work.send(u);
  work.close();

  const int checkers = 4;
  Chan<std::string> results(urls.size());
  Chan<std::string> errs(checkers + 1);
  std::vector<std::thread> pool;
  for (int c = 0; c < checkers; ++c)
    pool.emplace_back([&] {
      while (auto url = work.recv()) {
        Response r = head(*url);
        if (r.status != 200) {
          errs.send(std::to_string(r.status) + " " + r.reason);
          return;
        }
        results.send(*url);
      }
    });
  for (auto &t : pool)
    t.join();

  results.close();
  errs.close();
  std::size_t ok = 0;
  while (results.recv())
    ++ok;
  std::size_t failed = 0;
  std::string reason;
  while (auto e = errs.recv()) {
    ++failed;
    reason = *e;
  }
  std::printf("checked %zu pages ok; %zu checker(s) stopped: %s\n", ok, failed,
              reason.c_str());
  return 0;
}
