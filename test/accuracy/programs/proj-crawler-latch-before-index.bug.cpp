// accuracy-family: join-before-drain
// accuracy-origin: jonatanjacobsson/ifcpipeline PRs #24 and #28 (commit b84f075: the parent waits for the child before reading the bounded queue the child's result blocks in), in the crawl-controller shape of yasserg/crawler4j (CrawlController: start the crawler threads, waitUntilFinish(), then use what they collected), re-expressed in C++
// accuracy-shape: queue=cv-bounded-close spawner=member-function-std::jthread producer=member-function-thread consumer=calling-thread exit=none wait=latch
//
// A crawl controller: start() gives every fetcher thread a shard of the
// seed list; a fetcher puts each page it downloads on a bounded page queue
// and counts down the controller's latch when its shard is done.
// waitUntilFinish() waits on the latch and then closes the page queue.
// The application starts the crawl, waits until it has finished, and only
// then indexes the pages. There are more pages than the queue holds: the
// fetchers block in put() and never count down.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

template <typename T> class PageQueue {
public:
  explicit PageQueue(std::size_t capacity) : capacity_(capacity) {}
  void put(T item) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }
  std::optional<T> take() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
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

struct Page {
  std::string url;
  std::string title;
  std::size_t links = 0;
};

// Stands in for the HTTP client.
static Page download(const std::string &url) {
  return Page{url, "Title of " + url.substr(url.rfind('/') + 1), url.size() % 7};
}

class CrawlController {
public:
  CrawlController(int fetchers, std::size_t queue_size)
      : fetchers_(fetchers), done_(fetchers), pages_(queue_size) {}

  void start(const std::vector<std::string> &seeds) {
    for (int f = 0; f < fetchers_; ++f)
      threads_.emplace_back([this, &seeds, f] { fetchShard(seeds, f); });
  }

  void waitUntilFinish() {
    done_.wait(); // accuracy: blocks
    pages_.close();
  }

  std::optional<Page> nextPage() { return pages_.take(); }

private:
  void fetchShard(const std::vector<std::string> &seeds, int shard) {
    for (std::size_t i = shard; i < seeds.size(); i += fetchers_)
      pages_.put(download(seeds[i]));
    done_.count_down();
  }

  int fetchers_;
  std::latch done_;
  PageQueue<Page> pages_;
  std::vector<std::jthread> threads_;
};

class Index {
public:
  void add(const Page &p) {
    ++docs_;
    links_ += p.links;
  }
  void report() const { std::printf("indexed %zu pages, %zu links\n", docs_, links_); }

private:
  std::size_t docs_ = 0, links_ = 0;
};

int main() {
  std::vector<std::string> seeds;
  for (int i = 0; i < 120; ++i)
    seeds.push_back("https://shop.example.com/products/item-" + std::to_string(i));

  CrawlController controller(/*fetchers=*/3, /*queue_size=*/16);
  controller.start(seeds);
  controller.waitUntilFinish();

  Index index;
  while (auto page = controller.nextPage())
    index.add(*page);
  index.report();
  return 0;
}
