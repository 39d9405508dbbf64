// The policy-server client at the Policy interface: after the server goes away a frame fails with
// a clear error, and once a server listens there again the next frame reconnects by itself (a
// GUI session survives a server restart); and the msgpack encoding is openpi's (arrays as maps
// with bytes keys) in both directions.

#include "common/error.h"
#include "fixtures.h"
#include "remote/msgpack_numpy.h"
#include "remote/remote_policy.h"

#include <QTest>
#include <QUrl>

using namespace grids;

class TestPolicyServerClient : public QObject
{
    Q_OBJECT

private slots:
    void reconnectsAfterTheServerComesBack()
    {
        QVERIFY2(fixtures::contractCheckpoints().ok, fixtures::contractCheckpoints().error.constData());
        const QString checkpoint = fixtures::contractCheckpoints().path("contract_grids.pt");
        auto server = std::make_unique<fixtures::PolicyServer>(checkpoint);
        QVERIFY2(server->ok(), server->errors().constData());
        const QString url = server->url();
        RemotePolicyOptions options;
        options.timeoutSeconds = 5;
        auto policy = connectPolicyServer(url.toStdString(), options);

        Frame frame;
        frame.views = {cv::Mat(12, 16, CV_8UC3, cv::Scalar(10, 200, 30)), cv::Mat(12, 16, CV_8UC3, cv::Scalar(90))};
        frame.state.assign(8, 0.25f);
        frame.instruction = "pick up the cube";
        const std::vector<ViewInfo> views{{"agentview_rgb", 16, 12}, {"eye_in_hand_rgb", 16, 12}};
        const FrameResult first = policy->run(frame, views, "grids", 4);

        server.reset(); // the server is gone
        Error::Kind kind{};
        const QString message = fixtures::errorOf([&] { policy->run(frame, views, "grids", 4); }, &kind);
        QCOMPARE(kind, Error::Kind::BadInput);
        QVERIFY2(message.startsWith(url), qPrintable(message));

        // A server on the same port again: the same Policy object carries on.
        const QString port = QString::number(QUrl(url).port());
        server = std::make_unique<fixtures::PolicyServer>(checkpoint, "none", QStringList{"--port", port});
        QVERIFY2(server->ok(), server->errors().constData());
        QCOMPARE(server->url(), url);
        const FrameResult again = policy->run(frame, views, "grids", 4);
        QCOMPARE(again.actions.values, first.actions.values);
    }

    // A message claiming billions of elements (an array, a map, a string or bytes of 4 GB, a
    // numpy shape of 10^18 elements) is refused from its header, before anything is allocated for
    // it: a few bytes cannot make the client reserve gigabytes.
    void absurdSizesAreRefusedBeforeAllocating()
    {
        auto refusal = [](const std::string &bytes) -> std::string {
            try {
                const remote::Value value = remote::unpack(bytes);
                for (const auto &[key, field] : value.fields)
                    if (field.kind == remote::Value::Kind::Numpy)
                        field.array->toFloats();
            } catch (const std::runtime_error &e) {
                return e.what();
            }
            return {};
        };
        const std::string u32max("\xff\xff\xff\xff", 4);
        QVERIFY(!refusal("\xdd" + u32max).empty());            // array32 of 4294967295 elements
        QVERIFY(!refusal("\xdf" + u32max).empty());            // map32 of 4294967295 pairs
        QVERIFY(!refusal("\xdb" + u32max + "abc").empty());    // str32 of 4 GB
        QVERIFY(!refusal("\xc6" + u32max + "abc").empty());    // bin32 of 4 GB
        const float one = 1.f;
        for (const std::vector<std::int64_t> &shape :
             {std::vector<std::int64_t>{1000000000, 1000000000}, {std::int64_t(1) << 40, std::int64_t(1) << 40},
              {-1, -1}}) {
            remote::OutValue array;
            array.kind = remote::OutValue::Kind::Array;
            array.array = remote::makeArray("<f4", shape, &one, sizeof one);
            const std::string why = refusal(remote::pack({{"actions", array}}));
            QVERIFY2(why.find("array") != std::string::npos, why.c_str());
        }
    }

    void arraysTravelAsOpenpiEncodesThem()
    {
        // Packed by us, read back: the bytes keys and the dtype string as numpy writes them.
        const float values[3] = {1.5f, -2.0f, 3.25f};
        remote::OutValue array;
        array.kind = remote::OutValue::Kind::Array;
        array.array = remote::makeArray("<f4", {3}, values, sizeof values);
        const remote::Value back = remote::unpack(remote::pack({{"x", array}}));
        const remote::Value *x = back.field("x");
        QVERIFY(x && x->kind == remote::Value::Kind::Numpy);
        QCOMPARE(x->array->dtype, std::string("<f4"));
        QCOMPARE(x->array->toFloats(), std::vector<float>(values, values + 3));
        // Big-endian int16 and a bad length.
        const unsigned char be[4] = {0xff, 0xfe, 0x00, 0x07};
        QCOMPARE(remote::makeArray(">i2", {2}, be, 4).toFloats(), (std::vector<float>{-2.f, 7.f}));
        bool refused = false;
        try {
            remote::makeArray("<f8", {2}, be, 4).toFloats();
        } catch (const std::runtime_error &) {
            refused = true;
        }
        QVERIFY(refused);
        // Truncated and trailing bytes are refused, never read past.
        const std::string packed = remote::pack({{"x", array}});
        for (const std::string &bad : {packed.substr(0, packed.size() - 3), packed + "x", std::string("\xc1")}) {
            bool threw = false;
            try {
                remote::unpack(bad);
            } catch (const std::runtime_error &) {
                threw = true;
            }
            QVERIFY(threw);
        }
    }
};

QTEST_GUILESS_MAIN(TestPolicyServerClient)
#include "tst_policy_server_client.moc"
