// accuracy-family: stranded-producer
// accuracy-origin: mangoumbrella/pyref.dev PR #27, commit 422ab32 (src/pyrefdev/indexer/crawl_docs.py at 422ab32^: an exception escaping _crawl_url skips task_done(), the crawler thread dies, and crawl() waits in _to_crawl_queue.join() forever), re-expressed in C++
// accuracy-shape: queue=cv-task-queue-join fix=catch-per-item spawner=member-function-std::thread producer=member-function consumer=member-function-thread-entry exit=throw wait=queue-join
//
// A documentation crawler: crawl() puts the root URL on the frontier,
// starts the crawler threads and waits on the frontier's join(), which
// returns once every URL put on it has been marked task_done(). Each
// crawler thread takes a URL, fetches and parses it (putting the links it
// finds), and marks it done -- but a parse error escapes crawlUrl(), skips
// task_done(), and ends the thread (its entry catches and logs it). The root
// page has a malformed link, so the frontier never drains and crawl() waits
// forever.
//
// The upstream fix: the error is caught for the one URL, recorded as a
// failed URL, and task_done() runs on every path.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// queue.Queue-like: unbounded, with unfinished-task accounting.
template <typename T> class TaskQueue {
public:
  void put(T item) {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(std::move(item));
    ++unfinished_;
    not_empty_.notify_one();
  }

  T get() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  void task_done() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--unfinished_ == 0)
      all_done_.notify_all();
  }

  // Blocks until every item put has been marked done.
  void join() {
    std::unique_lock<std::mutex> lock(mutex_);
    all_done_.wait(lock, [&] { return unfinished_ == 0; });
  }

private:
  std::mutex mutex_;
  std::condition_variable not_empty_, all_done_;
  std::deque<T> items_;
  long unfinished_ = 0;
};

// Stands in for urlopen(): every page of the site, with the links on it.
struct Site {
  std::map<std::string, std::vector<std::string>> pages;
};

class DocsCrawler {
public:
  DocsCrawler(const Site &site, std::string root)
      : site_(site), root_(std::move(root)) {}

  void crawl(int num_threads) {
    frontier_.put(root_);
    seen_.insert(root_);
    std::vector<std::thread> threads;
    for (int i = 0; i < num_threads; ++i)
      threads.emplace_back([this] {
        try {
          crawlThread();
        } catch (const std::exception &e) {
          std::lock_guard<std::mutex> lock(mutex_);
          died_ = e.what();
        }
      });
    frontier_.join();
    for (int i = 0; i < num_threads; ++i)
      frontier_.put(std::nullopt); // one stop sentinel per thread
    for (auto &t : threads)
      t.join();
  }

  void report() const {
    std::printf("crawled %zu page(s)\n", crawled_.size());
    for (const auto &[url, why] : failed_)
      std::printf("failed: %s: %s\n", url.c_str(), why.c_str());
  }

private:
  void crawlThread() {
    for (;;) {
      std::optional<std::string> url = frontier_.get();
      if (!url)
        return;
      bool saved = false;
      try {
        saved = crawlUrl(*url);
      } catch (const std::exception &e) {
        std::lock_guard<std::mutex> lock(mutex_);
        failed_[*url] = e.what();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (saved)
          crawled_.insert(*url);
      }
      frontier_.task_done();
    }
  }

  bool crawlUrl(const std::string &url) {
    auto page = site_.pages.find(url);
    if (page == site_.pages.end()) {
      std::lock_guard<std::mutex> lock(mutex_);
      failed_[url] = "HTTP 404";
      return false;
    }
    std::vector<std::string> links = parseLinks(url, page->second);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const std::string &link : links)
      if (seen_.insert(link).second)
        frontier_.put(link);
    return true;
  }

  static std::vector<std::string> parseLinks(const std::string &base,
                                             const std::vector<std::string> &hrefs) {
    std::vector<std::string> links;
    for (const std::string &href : hrefs)
      links.push_back(urljoin(base, href));
    return links;
  }

  static std::string urljoin(const std::string &base, const std::string &href) {
    if (href.find('[') != std::string::npos && href.find(']') == std::string::npos)
      throw std::invalid_argument("Invalid IPv6 URL: " + href);
    return href.rfind("http", 0) == 0 ? href : base + href;
  }

  const Site &site_;
  std::string root_;
  TaskQueue<std::optional<std::string>> frontier_;
  std::mutex mutex_;
  std::set<std::string> seen_, crawled_;
  std::map<std::string, std::string> failed_;
  std::string died_;
};

int main() {
  Site site;
  site.pages["https://docs.example.org/"] = {"api.html", "http://[::1/broken",
                                             "guide.html"};
  site.pages["https://docs.example.org/api.html"] = {};
  site.pages["https://docs.example.org/guide.html"] = {};

  DocsCrawler crawler(site, "https://docs.example.org/");
  crawler.crawl(4);
  crawler.report();
  return 0;
}
