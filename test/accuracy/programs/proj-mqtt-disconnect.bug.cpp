// accuracy-family: stranded-consumer
// accuracy-origin: eclipse-paho/paho.mqtt.cpp issue #410 (src/async_client.cpp and include/mqtt/thread_queue.h at 3631bce: on_connection_lost() and on_disconnected() put an empty message pointer into the consumer queue, a client-side disconnect() did not, so a thread blocked in consume_message() never wakes), re-expressed in C++
// accuracy-shape: queue=cv-thread-queue-unbounded spawner=class-member-thread+std::thread producer=library-callback consumer=lambda-member-call exit=end-marker-missing-on-one-path wait=join
//
// An MQTT client library: its network thread delivers arriving messages
// into the client's consumer queue, and the application reads them with
// consume_message() until it gets an empty message, the library's signal
// that the connection is gone. The connection-lost callback puts that
// empty message; disconnect() stops the network thread but does not. The
// application disconnects and joins its consumer thread, which waits in
// consume_message() for good.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mqtt {

template <typename T> class thread_queue {
public:
  void put(T val) {
    {
      std::lock_guard<std::mutex> g(lock_);
      que_.push_back(std::move(val));
    }
    notEmptyCond_.notify_one();
  }

  T get() {
    std::unique_lock<std::mutex> g(lock_);
    notEmptyCond_.wait(g, [this] { return !que_.empty(); });
    T val = std::move(que_.front());
    que_.pop_front();
    return val;
  }

private:
  std::mutex lock_;
  std::condition_variable notEmptyCond_;
  std::deque<T> que_;
};

struct message {
  std::string topic;
  std::string payload;
};
using const_message_ptr = std::shared_ptr<const message>;

// Stands in for the broker on the other end of the connection.
struct broker {
  std::vector<message> retained;
  bool drops_connection = false;
};

class async_client {
public:
  explicit async_client(broker &b) : broker_(b) {}
  ~async_client() {
    if (net_.joinable())
      disconnect();
  }

  void start_consuming() { que_ = std::make_unique<thread_queue<const_message_ptr>>(); }

  void connect() {
    net_ = std::thread([this] { network_main(); });
  }

  void disconnect() {
    {
      std::lock_guard<std::mutex> g(lock_);
      stop_ = true;
    }
    stopCond_.notify_one();
    net_.join();
  }

  const_message_ptr consume_message() { return que_->get(); }

private:
  // the library's own thread
  void network_main() {
    for (const message &m : broker_.retained)
      on_message_arrived(m);
    if (broker_.drops_connection) {
      on_connection_lost("connection reset by peer");
      return;
    }
    std::unique_lock<std::mutex> g(lock_);
    stopCond_.wait(g, [this] { return stop_; });
  }

  void on_message_arrived(const message &m) {
    if (que_)
      que_->put(std::make_shared<const message>(m));
  }

  // called when the broker drops the connection
  void on_connection_lost(const std::string &) {
    if (que_)
      que_->put(const_message_ptr{});
  }

  broker &broker_;
  std::unique_ptr<thread_queue<const_message_ptr>> que_;
  std::thread net_;
  std::mutex lock_;
  std::condition_variable stopCond_;
  bool stop_ = false;
};

} // namespace mqtt

int main() {
  mqtt::broker broker;
  broker.retained = {{"sensors/boiler/temp", "71.5"},
                     {"sensors/boiler/pressure", "1.9"},
                     {"sensors/boiler/state", "on"}};

  mqtt::async_client cli(broker);
  cli.start_consuming();
  cli.connect();

  std::thread consumer([&cli] {
    int received = 0;
    while (auto msg = cli.consume_message()) // accuracy: blocks
      ++received;
    std::printf("consumer: connection closed, %d messages\n", received);
  });

  cli.disconnect();
  consumer.join();
  std::printf("client: disconnected\n");
  return 0;
}
