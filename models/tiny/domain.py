"""The fixed scene domain (ARCHITECTURE.md, "The scene domain") and its English and Chinese names."""

SHAPES = ("circle", "square", "triangle", "star", "heart", "hexagon", "diamond", "cross")
COLOURS = ("red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white", "gray", "cyan")
SIZES = ("small", "large")
POSITIONS = ("left", "right", "top", "bottom", "center", "top-left", "top-right", "bottom-left", "bottom-right")

ZH_SHAPES = dict(zip(SHAPES, ("圆形", "正方形", "三角形", "星形", "心形", "六边形", "菱形", "十字")))
ZH_COLOURS = dict(zip(COLOURS, ("红色", "绿色", "蓝色", "黄色", "橙色", "紫色", "粉色", "棕色", "黑色", "白色", "灰色", "青色")))
ZH_SIZES = {"small": "小", "large": "大"}
ZH_POSITIONS = dict(zip(POSITIONS, ("左边", "右边", "上方", "下方", "中间", "左上角", "右上角", "左下角", "右下角")))

RGB = {
    "red": (220, 30, 35),
    "green": (40, 165, 60),
    "blue": (40, 80, 220),
    "yellow": (245, 220, 40),
    "orange": (245, 140, 20),
    "purple": (135, 50, 180),
    "pink": (245, 150, 200),
    "brown": (125, 75, 35),
    "black": (20, 20, 20),
    "white": (245, 245, 245),
    "gray": (128, 128, 128),
    "cyan": (40, 210, 225),
}

# Centre of each position in the scene square, as fractions of its side (x right, y down).
POSITION_XY = {
    "left": (1 / 6, 1 / 2),
    "right": (5 / 6, 1 / 2),
    "top": (1 / 2, 1 / 6),
    "bottom": (1 / 2, 5 / 6),
    "center": (1 / 2, 1 / 2),
    "top-left": (1 / 6, 1 / 6),
    "top-right": (5 / 6, 1 / 6),
    "bottom-left": (1 / 6, 5 / 6),
    "bottom-right": (5 / 6, 5 / 6),
}
