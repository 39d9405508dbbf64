#include "sim/scene_xml.h"

#include <cmath>
#include <sstream>

namespace grids::sim {
namespace {

std::string rgba(const Colour &c, float alpha = 1.0f)
{
    std::ostringstream out;
    out << c.rgb[0] << ' ' << c.rgb[1] << ' ' << c.rgb[2] << ' ' << alpha;
    return out.str();
}

void writeObject(std::ostringstream &xml, const SceneObject &o)
{
    const double x = o.xy[0], y = o.xy[1];
    switch (o.shape) {
    case Shape::Plate:
        // Flat marks are visual only: nothing collides with them.
        xml << "    <geom name='" << o.name << "' type='cylinder' size='" << o.radius()
            << " 0.001' pos='" << x << ' ' << y << " 0.001' rgba='" << rgba(o.colour)
            << "' contype='0' conaffinity='0'/>\n";
        xml << "    <geom type='cylinder' size='" << o.radius() * 0.75 << " 0.0012' pos='" << x
            << ' ' << y << " 0.0012' rgba='0.92 0.92 0.9 1' contype='0' conaffinity='0'/>\n";
        return;
    case Shape::Zone:
        xml << "    <geom name='" << o.name << "' type='box' size='" << o.radius() << ' '
            << o.radius() << " 0.001' pos='" << x << ' ' << y << " 0.001' rgba='" << rgba(o.colour)
            << "' contype='0' conaffinity='0'/>\n";
        return;
    default:
        break;
    }
    xml << "    <body name='" << o.name << "' pos='" << x << ' ' << y << ' ' << o.halfHeight()
        << "' euler='0 0 " << o.yaw << "'>\n      <freejoint/>\n";
    if (o.shape == Shape::Cube)
        xml << "      <geom type='box' size='0.02 0.02 0.02' mass='0.05'";
    else if (o.shape == Shape::Cylinder)
        xml << "      <geom type='cylinder' size='0.018 0.025' mass='0.05'";
    else
        xml << "      <geom type='cylinder' size='0.035 0.025' mass='0.25'";
    // Pushed cylinders slide rather than tip: low friction against the table.
    const char *friction = o.shape == Shape::WideCylinder ? "0.35 0.005 0.0001" : "1 0.01 0.001";
    xml << " rgba='" << rgba(o.colour) << "' condim='4' friction='" << friction
        << "'/>\n    </body>\n";
}

} // namespace

std::string sceneXml(const TaskLayout &layout)
{
    const auto &g = layout.gripperStart;
    std::ostringstream xml;
    xml << "<mujoco model='tabletop'>\n"
           "  <compiler autolimits='true'/>\n"
           "  <option timestep='"
        << GripperGeometry::kTimestep
        << "' cone='elliptic' impratio='5'/>\n"
           "  <visual>\n"
           "    <global offwidth='"
        << GripperGeometry::kImageSize << "' offheight='" << GripperGeometry::kImageSize
        << "'/>\n"
           "    <headlight ambient='0.35 0.35 0.35' diffuse='0.45 0.45 0.45'/>\n"
           // No light casts shadows; without a shadow map, preparing a scene's GL resources
           // takes about 2 ms instead of 200 ms with the software renderer.
           "    <quality shadowsize='0'/>\n"
           "  </visual>\n"
           "  <worldbody>\n"
           "    <light pos='0.2 -0.3 1.2' dir='-0.15 0.25 -1' diffuse='0.55 0.55 0.55' "
           "castshadow='false'/>\n"
           "    <geom name='floor' type='plane' size='2 2 0.1' pos='0 0 -0.3' "
           "rgba='0.25 0.27 0.3 1' contype='0' conaffinity='0'/>\n"
           // The table top collides as a plane (MuJoCo's plane contacts are analytic and stable
           // for cylinders); the box under it is only what the cameras see.
           "    <geom name='table' type='plane' size='0.3 0.25 0.01' pos='0 0.03 0' "
           "rgba='0.62 0.5 0.38 1' friction='0.35 0.005 0.0001'/>\n"
           "    <geom type='box' size='0.3 0.25 0.02' pos='0 0.03 -0.0201' "
           "rgba='0.55 0.44 0.33 1' contype='0' conaffinity='0'/>\n"
           "    <camera name='agentview' pos='0 -0.4 0.45' xyaxes='1 0 0 0 0.707 0.707' "
           "fovy='45'/>\n"
           "    <body name='target' mocap='true' pos='"
        << g[0] << ' ' << g[1] << ' ' << g[2]
        << "'/>\n"
           "    <body name='gripper' pos='"
        << g[0] << ' ' << g[1] << ' ' << g[2]
        << "'>\n"
           "      <freejoint/>\n"
           "      <inertial pos='0 0 0.06' mass='0.4' diaginertia='0.002 0.002 0.002'/>\n"
           "      <geom name='palm' type='box' size='0.052 0.016 0.008' pos='0 0 0.062' "
           "rgba='0.2 0.2 0.22 1'/>\n"

           "      <camera name='eye_in_hand' pos='0 -0.035 0.045' "
           "xyaxes='1 0 0 0 0.87 0.5' fovy='80'/>\n";
    for (int side : {-1, 1}) {
        xml << "      <body name='finger_" << (side < 0 ? "left" : "right") << "' pos='"
            << side * 0.045
            << " 0 0'>\n"
               "        <joint name='finger_"
            << (side < 0 ? "left" : "right") << "' type='slide' axis='" << -side
            << " 0 0' range='0 " << GripperGeometry::kFingerTravel
            << "' damping='2'/>\n"
               "        <geom type='box' size='0.006 0.014 0.027' pos='0 0 0.027' mass='0.03' "
               "rgba='0.55 0.56 0.6 1' condim='4' friction='1.6 0.02 0.001'/>\n"
               "      </body>\n";
    }
    xml << "    </body>\n";
    for (const auto &object : layout.objects)
        writeObject(xml, object);
    xml << "  </worldbody>\n"
           "  <equality>\n"
           "    <weld body1='target' body2='gripper' solref='0.02 1'/>\n"
           "  </equality>\n"
           "  <actuator>\n";
    for (const char *side : {"left", "right"})
        xml << "    <position name='finger_" << side << "' joint='finger_" << side
            << "' kp='200' ctrlrange='0 " << GripperGeometry::kFingerTravel
            << "' forcerange='-12 12'/>\n";
    xml << "  </actuator>\n</mujoco>\n";
    return xml.str();
}

} // namespace grids::sim
