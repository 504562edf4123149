//===- OptionsTest.cpp - Parsing and printing of the CheckOptions lists ---===//
#include "fanout/Options.h"
#include "gtest/gtest.h"

using namespace fanout;

namespace {

TEST(OptionsTest, ParsesBareAndQualifiedMethods) {
  std::vector<MethodName> Methods;
  std::string Error;
  ASSERT_TRUE(
      parseMethodList(" push ; ::ns::Queue::put;;Q::close ", Methods, Error))
      << Error;
  ASSERT_EQ(Methods.size(), 3u);
  EXPECT_EQ(Methods[0].Type, "");
  EXPECT_EQ(Methods[0].Method, "push");
  EXPECT_EQ(Methods[1].Type, "ns::Queue");
  EXPECT_EQ(Methods[1].Method, "put");
  EXPECT_EQ(Methods[2].Type, "Q");
  EXPECT_EQ(Methods[2].Method, "close");
}

TEST(OptionsTest, RejectsMalformedEntriesAndNamesThem) {
  std::vector<MethodName> Methods;
  std::string Error;
  EXPECT_FALSE(parseMethodList("push;Queue::;pop", Methods, Error));
  EXPECT_NE(Error.find("Queue::"), std::string::npos) << Error;

  std::vector<std::string> Names;
  Error.clear();
  EXPECT_FALSE(parseNameList("ok::Name;2bad", Names, Error));
  EXPECT_NE(Error.find("2bad"), std::string::npos) << Error;
}

TEST(OptionsTest, FormatIsTheInverseOfParse) {
  const std::string Text = "push;ns::Queue::put";
  std::vector<MethodName> Methods;
  std::string Error;
  ASSERT_TRUE(parseMethodList(Text, Methods, Error)) << Error;
  EXPECT_EQ(formatMethodList(Methods), Text);

  std::vector<std::string> Names;
  ASSERT_TRUE(parseNameList("::a::B; c ", Names, Error)) << Error;
  EXPECT_EQ(formatNameList(Names), "a::B;c");
}

} // namespace
