"""World knowledge for the pre-training corpus, in English and Chinese: sentences in which an attribute word cannot
be swapped for another of its kind without making the sentence false.

In scene captions "a red circle" and "a blue circle" are equally likely, so next-token prediction has no reason to
tell colour words apart, and their embeddings collapse (issue 10: mean pairwise cosine 0.934). Here "a ripe tomato is
red" is not "a ripe tomato is blue". The unseen words (unseen.py) are defined here, in text only.
"""

from __future__ import annotations

import random

from .unseen import UNSEEN_WORDS

# (English, Chinese) facts.
FACTS = (
    ("A ripe tomato is red.", "熟透的番茄是红色的。"),
    ("Blood and fire trucks are red.", "血和消防车是红色的。"),
    ("Grass and leaves in summer are green.", "夏天的草和树叶是绿色的。"),
    ("The clear sky and the deep sea are blue.", "晴朗的天空和深海是蓝色的。"),
    ("A banana and the sun are drawn yellow.", "香蕉和太阳常被画成黄色。"),
    ("An orange is orange, like a carrot.", "橙子是橙色的，像胡萝卜一样。"),
    ("Grapes and lavender are purple.", "葡萄和薰衣草是紫色的。"),
    ("A flamingo is pink.", "火烈鸟是粉色的。"),
    ("Chocolate and tree bark are brown.", "巧克力和树皮是棕色的。"),
    ("Coal and the night sky are black.", "煤和夜空是黑色的。"),
    ("Snow and milk are white.", "雪和牛奶是白色的。"),
    ("Ash and storm clouds are gray.", "灰烬和暴风云是灰色的。"),
    ("Cyan is a bright blue-green, the colour of shallow tropical water.", "青色是一种明亮的蓝绿色，像热带浅海的颜色。"),
    ("Red and green are opposite colours.", "红色和绿色是互补色。"),
    ("Black is the darkest colour and white the lightest.", "黑色最暗，白色最亮。"),
    ("Mixing blue and yellow gives green.", "蓝色和黄色混合得到绿色。"),
    ("Mixing red and blue gives purple.", "红色和蓝色混合得到紫色。"),
    ("Mixing red and white gives pink.", "红色和白色混合得到粉色。"),
    ("Mixing red and yellow gives orange.", "红色和黄色混合得到橙色。"),
    ("Mixing black and white gives gray.", "黑色和白色混合得到灰色。"),
    ("A circle is round and has no corners.", "圆形是圆的，没有角。"),
    ("A square has four equal sides and four right angles.", "正方形有四条相等的边和四个直角。"),
    ("A triangle has three sides and three corners.", "三角形有三条边和三个角。"),
    ("A hexagon has six sides, like a honeycomb cell.", "六边形有六条边，像蜂巢的格子。"),
    ("A star has five points.", "星形有五个尖角。"),
    ("A heart is the shape of love, round at the top and pointed at the bottom.", "心形代表爱，上面圆，下面尖。"),
    ("A diamond is a square turned on its corner, with four sides.", "菱形是转了一个角的正方形，有四条边。"),
    ("A cross is two bars that meet in the middle, like a plus sign.", "十字是两条在中间相交的横竖条，像加号。"),
    ("A large shape is bigger than a small one.", "大的图形比小的图形大。"),
    ("Big means the same as large, and little the same as small.", "大就是大，小就是小。"),
    ("The top is above the bottom, and the left is opposite the right.", "上方在下方的上面，左边和右边相对。"),
    ("The center is the middle of the picture.", "中间是图片的正中央。"),
    ("The top-left corner is where the top edge meets the left edge.", "左上角是上边和左边相交的地方。"),
    ("The background is behind every shape.", "背景在所有图形的后面。"),
    ("Two shapes are more than one shape, and three are more than two.", "两个图形比一个多，三个比两个多。"),
)

SYNONYM_FACTS = {
    "crimson": ("Crimson is a deep shade of red.", "crimson 是一种深红色。"),
    "azure": ("Azure is the bright blue of a clear sky.", "azure 是晴空的亮蓝色。"),
    "violet": ("Violet is a kind of purple.", "violet 是一种紫色。"),
    "turquoise": ("Turquoise is a blue-green colour, close to cyan.", "turquoise 是一种接近青色的蓝绿色。"),
    "ivory": ("Ivory is a warm white.", "ivory 是一种暖白色。"),
    "charcoal": ("Charcoal is a very dark, nearly black colour.", "charcoal 是一种几乎是黑色的深色。"),
    "emerald": ("Emerald is a rich green, the colour of the gem.", "emerald 是宝石般的绿色。"),
    "rhombus": ("A rhombus is a diamond shape with four equal sides.", "rhombus 就是四条边相等的菱形。"),
    "disc": ("A disc is a flat filled circle.", "disc 是一个实心的圆形。"),
    "huge": ("Huge means very large.", "huge 的意思是非常大。"),
}
assert set(SYNONYM_FACTS) == set(UNSEEN_WORDS.values())


def knowledge_document(rng: random.Random) -> str:
    """A few facts, each in English, in Chinese or in both."""
    facts = rng.sample(FACTS + tuple(SYNONYM_FACTS.values()), rng.randint(2, 4))
    form = rng.randrange(3)
    if form == 0:
        return " ".join(en for en, _ in facts)
    if form == 1:
        return "".join(zh for _, zh in facts)
    return "\n".join(f"{en} {zh}" for en, zh in facts)
