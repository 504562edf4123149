// accuracy-family: stranded-consumer
// accuracy-origin: chenshuo/muduo muduo/base/BoundedBlockingQueue.h (put()/take(), no close) with the scope-guard end of facebook/zstd contrib/pzstd/Pzstd.cpp asyncCompressChunks() (`auto chunksGuard = makeScopeGuard([&] { chunks.finish(); });`), the guard here sending one null pill per consumer
// accuracy-shape: queue=cv-hand-written-no-close close=poison-pill marker-path=scope-guard spawner=std::async+boost::thread_group producer=free-function consumer=lambda exit=throw wait=join_all+future
// accuracy-flags: -lboost_thread
//
// A crawler's link extractor feeds URLs to fetcher threads through a bounded
// queue without close; a null pointer is the pill that stops one fetcher.
// The extractor arms a scope guard that puts one pill per fetcher when it
// leaves, however it leaves. It throws on a malformed page; the guard's pills
// go out while the exception unwinds, and the fetchers' exit on them is
// their normal end. Correct.
#include <boost/thread/thread.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

template <typename T> class BoundedBlockingQueue {
public:
  explicit BoundedBlockingQueue(std::size_t maxSize) : maxSize_(maxSize) {}

  void put(T x) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (queue_.size() >= maxSize_)
      notFull_.wait(lock);
    queue_.push_back(std::move(x));
    notEmpty_.notify_one();
  }

  T take() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (queue_.empty())
      notEmpty_.wait(lock);
    T front(std::move(queue_.front()));
    queue_.pop_front();
    notFull_.notify_one();
    return front;
  }

private:
  std::mutex mutex_;
  std::condition_variable notEmpty_, notFull_;
  std::deque<T> queue_;
  std::size_t maxSize_;
};

template <typename F> class ScopeGuard {
public:
  explicit ScopeGuard(F f) : f_(std::move(f)) {}
  ~ScopeGuard() { f_(); }
  ScopeGuard(const ScopeGuard &) = delete;
  ScopeGuard &operator=(const ScopeGuard &) = delete;

private:
  F f_;
};
template <typename F> ScopeGuard<F> makeScopeGuard(F f) {
  return ScopeGuard<F>(std::move(f));
}

using Url = std::unique_ptr<std::string>;

static void extractLinks(BoundedBlockingQueue<Url> &urls, int pages,
                         int fetchers) {
  auto pillGuard = makeScopeGuard([&] {
    for (int i = 0; i < fetchers; ++i)
      urls.put(nullptr);
  });
  for (int page = 0; page < pages; ++page) {
    if (page == 25)
      throw std::runtime_error("page 25: unterminated <a> tag");
    urls.put(std::make_unique<std::string>("https://example.org/" +
                                           std::to_string(page)));
  }
}

int main() {
  const int fetchers = 3;
  BoundedBlockingQueue<Url> urls(4);
  boost::thread_group fetcherThreads;
  for (int i = 0; i < fetchers; ++i)
    fetcherThreads.create_thread([&urls] {
      while (Url url = urls.take())
        (void)url->size(); // fetch it
    });

  auto extractor =
      std::async(std::launch::async, extractLinks, std::ref(urls), 100, fetchers);
  fetcherThreads.join_all();
  try {
    extractor.get();
  } catch (const std::exception &e) {
    std::printf("error: link extraction stopped: %s\n", e.what());
  }
  return 0;
}
