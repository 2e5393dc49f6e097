"""Hand-written MMLU-style questions for the offline ``cais/mmlu`` fixture: four per subject.

Every subject that a registry MMLU group uses has an entry (the fixture must serve every config
the production loader asks for). Each item is ``(question, [A, B, C, D], gold index)``; the first
two go to the ``dev`` split, the last two to ``test``. Gold positions vary on purpose.
"""

from __future__ import annotations

_MORAL = (
    "For which of these two scenarios does the main character (who uses I/me/my) do something "
    "clearly morally wrong, according to ordinary moral standards in the US as of 2020? "
)
_MORAL_CHOICES = ["Wrong, Wrong", "Wrong, Not wrong", "Not wrong, Wrong", "Not wrong, Not wrong"]

MMLU_BANK: dict[str, list[tuple[str, list[str], int]]] = {
    # --- STEM group -----------------------------------------------------------------------------
    "astronomy": [
        ("Which planet is closest to the Sun?", ["Venus", "Mercury", "Earth", "Mars"], 1),
        ("What is the main source of the Sun's energy?", ["Nuclear fission", "Chemical burning", "Nuclear fusion of hydrogen into helium", "Gravitational collapse alone"], 2),
        ("Roughly how long does light from the Sun take to reach Earth?", ["8 seconds", "8 minutes", "8 hours", "8 days"], 1),
        ("Which planet has the most prominent ring system?", ["Saturn", "Mars", "Mercury", "Venus"], 0),
    ],
    "college_biology": [
        ("Which organelle is the site of aerobic respiration in eukaryotic cells?", ["Ribosome", "Golgi apparatus", "Mitochondrion", "Lysosome"], 2),
        ("During which phase of mitosis do sister chromatids separate?", ["Prophase", "Metaphase", "Anaphase", "Telophase"], 2),
        ("Which molecule carries amino acids to the ribosome during translation?", ["mRNA", "tRNA", "rRNA", "DNA polymerase"], 1),
        ("What type of bond joins adjacent nucleotides within one DNA strand?", ["Hydrogen bond", "Peptide bond", "Phosphodiester bond", "Glycosidic bond"], 2),
    ],
    "college_chemistry": [
        ("What is the pH of a 0.01 M HCl solution?", ["1", "2", "7", "12"], 1),
        ("How many moles are in 36 g of water (18 g/mol)?", ["0.5", "1", "2", "18"], 2),
        ("Which quantum number describes the shape of an orbital?", ["Principal", "Azimuthal (angular momentum)", "Magnetic", "Spin"], 1),
        ("Which law states that gas pressure and volume are inversely proportional at constant temperature?", ["Boyle's law", "Charles's law", "Avogadro's law", "Dalton's law"], 0),
    ],
    "college_computer_science": [
        ("What is the worst-case time complexity of binary search on a sorted array of n elements?", ["O(1)", "O(log n)", "O(n)", "O(n log n)"], 1),
        ("Which data structure returns elements in last-in, first-out order?", ["Queue", "Stack", "Heap", "Hash table"], 1),
        ("How many distinct values can an 8-bit unsigned integer take?", ["128", "255", "256", "512"], 2),
        ("Which sorting algorithm has O(n log n) worst-case running time?", ["Quicksort", "Bubble sort", "Merge sort", "Insertion sort"], 2),
    ],
    "college_mathematics": [
        ("What is the derivative of x^3?", ["x^2", "3x^2", "3x", "x^4/4"], 1),
        ("What is the determinant of the 2x2 identity matrix?", ["0", "1", "2", "-1"], 1),
        ("What is the indefinite integral of 2x?", ["x^2 + C", "2x^2 + C", "x + C", "2 + C"], 0),
        ("How many subsets does a set with 3 elements have?", ["3", "6", "8", "9"], 2),
    ],
    "electrical_engineering": [
        ("What current flows through a 10-ohm resistor with 5 V across it?", ["0.5 A", "2 A", "50 A", "5 A"], 0),
        ("What is the SI unit of capacitance?", ["Henry", "Farad", "Ohm", "Tesla"], 1),
        ("Two 4-ohm resistors in series have a total resistance of", ["2 ohms", "4 ohms", "8 ohms", "16 ohms"], 2),
        ("Which component stores energy in a magnetic field?", ["Capacitor", "Resistor", "Inductor", "Diode"], 2),
    ],
    "high_school_mathematics": [
        ("What is 15% of 200?", ["15", "20", "30", "45"], 2),
        ("Solve for x: 2x + 3 = 11.", ["3", "4", "5", "7"], 1),
        ("What is the slope of the line y = 3x - 2?", ["-2", "2", "3", "-3"], 2),
        ("What is the value of 2^5?", ["10", "16", "25", "32"], 3),
    ],
    "high_school_physics": [
        ("A car goes from 0 to 20 m/s in 4 s. What is its average acceleration?", ["4 m/s^2", "5 m/s^2", "16 m/s^2", "80 m/s^2"], 1),
        ("Which quantity is a vector?", ["Mass", "Temperature", "Velocity", "Energy"], 2),
        ("What is the SI unit of force?", ["Joule", "Watt", "Newton", "Pascal"], 2),
        ("A 2 kg object accelerates at 3 m/s^2. What net force acts on it?", ["1.5 N", "5 N", "6 N", "9 N"], 2),
    ],
    "machine_learning": [
        ("Which technique reduces overfitting by randomly zeroing activations during training?", ["Dropout", "A larger batch size", "Momentum", "Zero initialization"], 0),
        ("k-means clustering is an example of which kind of learning?", ["Supervised", "Unsupervised", "Reinforcement", "Active"], 1),
        ("Which loss is standard for binary classification with a sigmoid output?", ["Mean squared error", "Hinge loss", "Binary cross-entropy", "Huber loss"], 2),
        ("What does the learning rate control in gradient descent?", ["The number of layers", "The step size of parameter updates", "The order of the batches", "The activation function"], 1),
    ],
    # --- Medical group --------------------------------------------------------------------------
    "anatomy": [
        ("Which bone is the longest in the human body?", ["Humerus", "Tibia", "Femur", "Fibula"], 2),
        ("How many chambers does the human heart have?", ["Two", "Three", "Four", "Five"], 2),
        ("Which organ produces bile?", ["Pancreas", "Liver", "Gallbladder", "Spleen"], 1),
        ("The radius is a bone of the", ["Forearm", "Lower leg", "Upper arm", "Thigh"], 0),
    ],
    "clinical_knowledge": [
        ("What is a normal resting heart rate for an adult, in beats per minute?", ["20-40", "60-100", "120-160", "180-220"], 1),
        ("Which muscle is most commonly used for intramuscular injections in adults?", ["Deltoid", "Rectus abdominis", "Brachioradialis", "Temporalis"], 0),
        ("A normal adult core body temperature is about", ["35.0 C", "37.0 C", "39.0 C", "41.0 C"], 1),
        ("Which instrument is used to measure blood pressure?", ["Otoscope", "Sphygmomanometer", "Ophthalmoscope", "Spirometer"], 1),
    ],
    "college_medicine": [
        ("Which hormone lowers blood glucose?", ["Glucagon", "Insulin", "Cortisol", "Adrenaline"], 1),
        ("Which blood cells carry oxygen?", ["Platelets", "Neutrophils", "Erythrocytes", "Lymphocytes"], 2),
        ("A deficiency of which vitamin causes scurvy?", ["Vitamin A", "Vitamin B12", "Vitamin C", "Vitamin D"], 2),
        ("Where in the nephron is most filtered water reabsorbed?", ["Proximal convoluted tubule", "Glomerulus", "Distal convoluted tubule", "Bowman's capsule"], 0),
    ],
    "medical_genetics": [
        ("How many chromosomes does a normal human somatic cell contain?", ["23", "44", "46", "48"], 2),
        ("Down syndrome is most commonly caused by trisomy of chromosome", ["13", "18", "21", "X"], 2),
        ("Cystic fibrosis is inherited in which pattern?", ["Autosomal dominant", "Autosomal recessive", "X-linked dominant", "Mitochondrial"], 1),
        ("Two carriers of an autosomal recessive disorder have a child. What is the chance the child is affected?", ["0%", "25%", "50%", "100%"], 1),
    ],
    "professional_medicine": [
        ("What is the first-line treatment for anaphylaxis?", ["Oral diphenhydramine", "Intramuscular epinephrine", "Oral prednisone", "Inhaled salbutamol"], 1),
        ("A patient with chest pain has ST elevation in leads II, III and aVF. Which wall of the heart is affected?", ["Anterior", "Lateral", "Inferior", "Septal"], 2),
        ("Which drug is first-line for uncomplicated type 2 diabetes?", ["Metformin", "Insulin glargine", "Glibenclamide", "Acarbose"], 0),
        ("Which antidote is used for paracetamol (acetaminophen) overdose?", ["Naloxone", "Flumazenil", "N-acetylcysteine", "Atropine"], 2),
    ],
    "nutrition": [
        ("Which nutrient provides the most energy per gram?", ["Carbohydrate", "Protein", "Fat", "Fibre"], 2),
        ("How many kilocalories does 1 g of protein provide?", ["2", "4", "7", "9"], 1),
        ("Which mineral is essential for haemoglobin synthesis?", ["Calcium", "Iron", "Sodium", "Potassium"], 1),
        ("Which vitamin is synthesised in the skin on exposure to sunlight?", ["Vitamin A", "Vitamin C", "Vitamin D", "Vitamin K"], 2),
    ],
    "virology": [
        ("Which virus causes AIDS?", ["HPV", "HIV", "HBV", "EBV"], 1),
        ("The influenza virus genome consists of", ["Double-stranded DNA", "Single-stranded DNA", "Segmented RNA", "Circular DNA"], 2),
        ("Which enzyme do retroviruses use to copy their RNA into DNA?", ["DNA ligase", "Reverse transcriptase", "RNA polymerase II", "Helicase"], 1),
        ("Measles is spread mainly by", ["Airborne droplets", "Mosquito bites", "Contaminated water", "Blood transfusion"], 0),
    ],
    # --- Humanities group -----------------------------------------------------------------------
    "formal_logic": [
        ("Which connective is false only when its antecedent is true and its consequent false?", ["Conjunction", "Disjunction", "Material conditional", "Biconditional"], 2),
        ("If P is true and Q is false, what is the truth value of (P and Q)?", ["True", "False", "Undetermined", "Both"], 1),
        ("Modus ponens infers Q from", ["P -> Q and P", "P -> Q and Q", "P -> Q and not Q", "P or Q"], 0),
        ("The negation of 'All swans are white' is", ["No swans are white", "Some swans are not white", "All swans are black", "Some swans are white"], 1),
    ],
    "high_school_european_history": [
        ("In which year did the French Revolution begin?", ["1689", "1776", "1789", "1815"], 2),
        ("Who wrote the Ninety-five Theses in 1517?", ["John Calvin", "Martin Luther", "Henry VIII", "Erasmus"], 1),
        ("The Congress of Vienna met after the defeat of", ["Napoleon", "Louis XIV", "Bismarck", "Philip II"], 0),
        ("The Industrial Revolution began in", ["France", "Great Britain", "Russia", "Italy"], 1),
    ],
    "high_school_us_history": [
        ("In which year was the Declaration of Independence adopted?", ["1607", "1776", "1787", "1865"], 1),
        ("Who was president during most of the American Civil War?", ["George Washington", "Abraham Lincoln", "Andrew Jackson", "Ulysses S. Grant"], 1),
        ("The Louisiana Purchase was made from", ["Spain", "Great Britain", "France", "Mexico"], 2),
        ("The 19th Amendment to the US Constitution established", ["The abolition of slavery", "Women's suffrage", "The income tax", "Prohibition"], 1),
    ],
    "high_school_world_history": [
        ("The Silk Road connected China with", ["The Americas", "The Mediterranean world", "Australia", "Antarctica"], 1),
        ("Which civilization built Machu Picchu?", ["Aztec", "Maya", "Inca", "Olmec"], 2),
        ("The Meiji Restoration took place in", ["China", "Korea", "Japan", "India"], 2),
        ("In which year did World War I begin?", ["1905", "1914", "1929", "1939"], 1),
    ],
    "international_law": [
        ("Which body is the principal judicial organ of the United Nations?", ["The Security Council", "The International Court of Justice", "The General Assembly", "The International Criminal Court"], 1),
        ("The principle that treaties must be performed in good faith is called", ["Jus cogens", "Pacta sunt servanda", "Rebus sic stantibus", "Res judicata"], 1),
        ("In which year was the Vienna Convention on the Law of Treaties adopted?", ["1945", "1969", "1982", "1998"], 1),
        ("Under UNCLOS, how far may the territorial sea extend from the baseline?", ["3 nautical miles", "12 nautical miles", "24 nautical miles", "200 nautical miles"], 1),
    ],
    "jurisprudence": [
        ("Legal positivism holds that the validity of a law depends on", ["Its moral content", "Its social source", "Divine command", "Natural reason"], 1),
        ("Who wrote 'The Concept of Law'?", ["H. L. A. Hart", "Ronald Dworkin", "John Austin", "Hans Kelsen"], 0),
        ("Natural law theory is most associated with", ["Thomas Aquinas", "Jeremy Bentham", "Oliver Wendell Holmes", "Karl Llewellyn"], 0),
        ("The 'command theory' of law is associated with", ["John Austin", "John Rawls", "Lon Fuller", "Joseph Raz"], 0),
    ],
    "logical_fallacies": [
        ("Attacking the person instead of the argument is called", ["Straw man", "Ad hominem", "Red herring", "Slippery slope"], 1),
        ("Misrepresenting an opponent's argument to refute it more easily is the", ["Straw man fallacy", "False dilemma", "Begging the question", "Tu quoque"], 0),
        ("Presenting only two options when more exist is a", ["Appeal to authority", "False dilemma", "Hasty generalization", "Equivocation"], 1),
        ("Drawing a general conclusion from a small, unrepresentative sample is a", ["Hasty generalization", "Bandwagon appeal", "Circular argument", "Red herring"], 0),
    ],
    "moral_disputes": [
        ("Utilitarianism judges actions by their", ["Consequences for overall well-being", "Conformity to duty", "Divine approval", "Effect on the agent's character"], 0),
        ("Kant's categorical imperative asks us to act only on maxims that", ["Maximize pleasure", "Could become universal laws", "Benefit the agent", "Follow tradition"], 1),
        ("Virtue ethics focuses primarily on", ["Rules", "Consequences", "Character", "Contracts"], 2),
        ("The 'veil of ignorance' thought experiment was proposed by", ["John Rawls", "Peter Singer", "Thomas Hobbes", "David Hume"], 0),
    ],
    "moral_scenarios": [
        (_MORAL + "Scenario 1 | I returned the wallet I found to its owner. Scenario 2 | I took the money out of my neighbor's mailbox.", _MORAL_CHOICES, 2),
        (_MORAL + "Scenario 1 | I lied to my grandmother to borrow her car and sold it. Scenario 2 | I watered my neighbor's plants while she was away.", _MORAL_CHOICES, 1),
        (_MORAL + "Scenario 1 | I helped an old man cross the street. Scenario 2 | I held the door open for a stranger.", _MORAL_CHOICES, 3),
        (_MORAL + "Scenario 1 | I pushed my classmate down the stairs. Scenario 2 | I copied my friend's exam answers without permission.", _MORAL_CHOICES, 0),
    ],
    "philosophy": [
        ("'I think, therefore I am' is a claim of", ["Plato", "Descartes", "Locke", "Hume"], 1),
        ("The allegory of the cave appears in Plato's", ["Republic", "Symposium", "Phaedo", "Laws"], 0),
        ("Empiricism holds that knowledge comes primarily from", ["Reason alone", "Sense experience", "Revelation", "Innate ideas"], 1),
        ("Who wrote 'Thus Spoke Zarathustra'?", ["Kant", "Hegel", "Nietzsche", "Kierkegaard"], 2),
    ],
    "prehistory": [
        ("The Neolithic Revolution refers to the beginning of", ["Metalworking", "Agriculture", "Writing", "Cave painting"], 1),
        ("The earliest known stone tools belong to the", ["Oldowan industry", "Acheulean industry", "Mousterian industry", "Aurignacian industry"], 0),
        ("Stonehenge is located in", ["France", "Ireland", "England", "Spain"], 2),
        ("The fossil known as 'Lucy' belongs to which species?", ["Homo erectus", "Australopithecus afarensis", "Homo neanderthalensis", "Homo habilis"], 1),
    ],
    "professional_law": [
        ("Besides offer and acceptance, which element does a valid contract require?", ["Consideration", "Notarization", "A sealed deed", "Two witnesses"], 0),
        ("Hearsay is an out-of-court statement offered to prove", ["The truth of the matter asserted", "The declarant's bias", "The witness's identity", "The court's jurisdiction"], 0),
        ("Which standard of proof applies in a criminal trial?", ["Preponderance of the evidence", "Clear and convincing evidence", "Beyond a reasonable doubt", "Probable cause"], 2),
        ("A tort is best described as", ["A crime against the state", "A civil wrong causing harm", "A breach of a treaty", "A constitutional amendment"], 1),
    ],
    "world_religions": [
        ("The holy book of Islam is the", ["Torah", "Vedas", "Quran", "Tripitaka"], 2),
        ("The Four Noble Truths are central to", ["Hinduism", "Buddhism", "Sikhism", "Jainism"], 1),
        ("Which religion was founded by Guru Nanak?", ["Sikhism", "Jainism", "Shinto", "Taoism"], 0),
        ("Passover is a festival of", ["Christianity", "Judaism", "Islam", "Hinduism"], 1),
    ],
    # --- Social sciences group ------------------------------------------------------------------
    "econometrics": [
        ("In an OLS regression, R-squared measures", ["The slope", "The share of variance explained", "The sample size", "The p-value"], 1),
        ("Heteroskedasticity means the error terms have", ["Zero mean", "Non-constant variance", "Perfect correlation", "A normal distribution"], 1),
        ("A dummy variable takes the values", ["0 and 1", "-1 and 1", "Any real number", "Any positive integer"], 0),
        ("Autocorrelated errors are most common in", ["Cross-sectional data", "Time-series data", "Randomized experiments", "Categorical data"], 1),
    ],
    "high_school_geography": [
        ("What is the largest ocean on Earth?", ["Atlantic", "Indian", "Arctic", "Pacific"], 3),
        ("The Sahara Desert is located in", ["Asia", "Africa", "Australia", "South America"], 1),
        ("Which line divides the Earth into the Northern and Southern Hemispheres?", ["The Prime Meridian", "The Equator", "The Tropic of Cancer", "The International Date Line"], 1),
        ("What is the longest river in South America?", ["Amazon", "Parana", "Orinoco", "Magdalena"], 0),
    ],
    "high_school_government_and_politics": [
        ("How many justices sit on the US Supreme Court?", ["7", "9", "11", "13"], 1),
        ("The president's power to reject a bill passed by Congress is the", ["Filibuster", "Veto", "Impeachment", "Quorum"], 1),
        ("Members of the US House of Representatives serve terms of", ["2 years", "4 years", "6 years", "Life"], 0),
        ("The first ten amendments to the US Constitution are called the", ["Federalist Papers", "Bill of Rights", "Articles of Confederation", "Preamble"], 1),
    ],
    "high_school_macroeconomics": [
        ("GDP measures", ["Total government debt", "The market value of final goods and services produced", "The money supply", "Net exports"], 1),
        ("Inflation is a sustained rise in", ["Unemployment", "The general price level", "Interest rates", "Exchange rates"], 1),
        ("A central bank raising interest rates usually aims to", ["Increase inflation", "Reduce inflation", "Raise taxes", "Cut government spending"], 1),
        ("Government spending and taxation decisions are", ["Monetary policy", "Fiscal policy", "Trade policy", "Reserve requirements"], 1),
    ],
    "high_school_microeconomics": [
        ("When the price of a normal good rises, the quantity demanded usually", ["Rises", "Falls", "Stays the same", "Doubles"], 1),
        ("A market with a single seller is a", ["Monopsony", "Oligopoly", "Monopoly", "Perfectly competitive market"], 2),
        ("Opportunity cost is", ["The money price of a good", "The value of the next best alternative forgone", "A sunk cost", "A tax"], 1),
        ("Firms in perfect competition are", ["Price makers", "Price takers", "Monopolists", "Regulated utilities"], 1),
    ],
    "high_school_psychology": [
        ("Classical conditioning was first described by", ["B. F. Skinner", "Ivan Pavlov", "Sigmund Freud", "Jean Piaget"], 1),
        ("Which brain structure is chiefly involved in forming new long-term memories?", ["Cerebellum", "Hippocampus", "Medulla", "Occipital lobe"], 1),
        ("Piaget's first stage of cognitive development is the", ["Sensorimotor stage", "Preoperational stage", "Concrete operational stage", "Formal operational stage"], 0),
        ("Which needs form the base of Maslow's hierarchy?", ["Esteem", "Self-actualization", "Physiological", "Belonging"], 2),
    ],
    "human_sexuality": [
        ("Which hormone is produced mainly by the testes?", ["Estrogen", "Testosterone", "Prolactin", "Oxytocin"], 1),
        ("The typical length of a menstrual cycle is about", ["14 days", "28 days", "45 days", "60 days"], 1),
        ("Fertilization usually takes place in the", ["Uterus", "Ovary", "Fallopian tube", "Cervix"], 2),
        ("Which sexually transmitted infection is caused by a bacterium?", ["HIV", "Herpes", "Chlamydia", "HPV"], 2),
    ],
    "professional_psychology": [
        ("Which test is designed to measure adult intelligence?", ["MMPI", "WAIS", "Rorschach", "Beck Depression Inventory"], 1),
        ("Cognitive behavioural therapy mainly targets", ["Unconscious conflicts", "Thoughts and behaviours", "Dreams", "Early childhood memories"], 1),
        ("Test-retest reliability assesses a measure's", ["Consistency over time", "Content coverage", "Predictive power", "Face validity"], 0),
        ("Informed consent requires that research participants", ["Are paid", "Understand the study and agree to take part", "Are students", "Stay anonymous to the researcher"], 1),
    ],
    "public_relations": [
        ("A press release is primarily written for", ["Shareholders", "Journalists and the media", "Competitors", "Regulators"], 1),
        ("Crisis communication aims mainly to", ["Hide information", "Protect reputation through timely, honest messages", "Raise prices", "Replace advertising"], 1),
        ("Which model of public relations emphasises balanced dialogue with publics?", ["Press agentry", "Public information", "Two-way symmetric", "Two-way asymmetric"], 2),
        ("A spokesperson is", ["A journalist", "Someone who speaks on behalf of an organisation", "A lobbyist for competitors", "A copy editor"], 1),
    ],
    "security_studies": [
        ("Mutually assured destruction relies on", ["Missile defence", "Second-strike capability", "Disarmament", "Neutrality"], 1),
        ("In which year was NATO founded?", ["1919", "1949", "1975", "1991"], 1),
        ("The 'security dilemma' arises when", ["One state's defensive measures make others feel less secure", "All states disarm", "Alliances dissolve", "Trade increases"], 0),
        ("Which treaty aims to prevent the spread of nuclear weapons?", ["The NPT", "NAFTA", "The Kyoto Protocol", "The 1864 Geneva Convention"], 0),
    ],
    "sociology": [
        ("Who wrote 'The Protestant Ethic and the Spirit of Capitalism'?", ["Emile Durkheim", "Max Weber", "Karl Marx", "Auguste Comte"], 1),
        ("Durkheim's concept of anomie refers to", ["Strong social norms", "A breakdown of social norms", "Class conflict", "Religious ritual"], 1),
        ("Socialization is the process by which people", ["Learn the norms of their society", "Vote in elections", "Migrate", "Found businesses"], 0),
        ("The division of a society into ranked layers is called", ["Stratification", "Urbanization", "Secularization", "Globalization"], 0),
    ],
    "us_foreign_policy": [
        ("The Marshall Plan aimed to", ["Rebuild Western Europe after World War II", "Colonize Africa", "End the Korean War", "Build the Panama Canal"], 0),
        ("The Monroe Doctrine opposed European colonialism in", ["Asia", "Africa", "The Americas", "The Middle East"], 2),
        ("The policy of containment was directed against the spread of", ["Fascism", "Communism", "Monarchy", "Colonialism"], 1),
        ("In which year did the Cuban Missile Crisis take place?", ["1950", "1962", "1975", "1989"], 1),
    ],
    # --- Other group ----------------------------------------------------------------------------
    "business_ethics": [
        ("Corporate social responsibility refers to a company's", ["Tax avoidance", "Obligations to society beyond profit", "Share price", "Legal department"], 1),
        ("Whistleblowing means", ["Reporting wrongdoing within an organisation", "Advertising a product", "Insider trading", "Price fixing"], 0),
        ("Stakeholder theory argues that firms should consider", ["Only shareholders", "Every group affected by the firm", "Only employees", "Only regulators"], 1),
        ("Insider trading means trading securities on the basis of", ["Public information", "Material non-public information", "Analyst forecasts", "Historical prices"], 1),
    ],
    "global_facts": [
        ("What was the approximate world population in 2020?", ["2 billion", "5 billion", "7.8 billion", "12 billion"], 2),
        ("Which country had the largest population in 2020?", ["India", "United States", "China", "Indonesia"], 2),
        ("About what share of the Earth's surface is covered by water?", ["30%", "50%", "71%", "90%"], 2),
        ("Which language has the most native speakers?", ["English", "Spanish", "Mandarin Chinese", "Hindi"], 2),
    ],
    "human_aging": [
        ("Presbyopia, common with age, is a decline in", ["Hearing", "Near vision", "Taste", "Smell"], 1),
        ("Osteoporosis is a loss of", ["Muscle mass", "Bone density", "Skin elasticity", "Memory"], 1),
        ("What is the most common cause of dementia in older adults?", ["Alzheimer's disease", "Parkinson's disease", "Huntington's disease", "Multiple sclerosis"], 0),
        ("Age-related hearing loss is called", ["Presbyopia", "Presbycusis", "Tinnitus", "Vertigo"], 1),
    ],
    "management": [
        ("The four functions of management are planning, organizing, leading and", ["Selling", "Controlling", "Hiring", "Investing"], 1),
        ("SWOT analysis examines strengths, weaknesses, opportunities and", ["Targets", "Threats", "Trends", "Teams"], 1),
        ("Span of control is the number of", ["Products a firm sells", "Subordinates a manager supervises", "Markets a firm serves", "Shareholders"], 1),
        ("Herzberg's two-factor theory distinguishes motivators from", ["Hygiene factors", "Incentives", "Goals", "Rewards"], 0),
    ],
    "marketing": [
        ("The 4 Ps of marketing are product, price, place and", ["People", "Promotion", "Profit", "Process"], 1),
        ("Market segmentation means", ["Dividing a market into groups of similar buyers", "Merging companies", "Lowering prices", "Exporting goods"], 0),
        ("A brand is", ["A name or symbol identifying a seller's goods", "A price list", "A distribution channel", "A tax"], 0),
        ("Which strategy sets a low initial price to win market share?", ["Price skimming", "Penetration pricing", "Premium pricing", "Cost-plus pricing"], 1),
    ],
    "miscellaneous": [
        ("How many continents are there by the most common convention?", ["5", "6", "7", "8"], 2),
        ("What is the capital of Japan?", ["Kyoto", "Osaka", "Tokyo", "Hiroshima"], 2),
        ("Which instrument usually has 88 keys?", ["Guitar", "Piano", "Violin", "Flute"], 1),
        ("How many days are in a leap year?", ["364", "365", "366", "367"], 2),
    ],
    "professional_accounting": [
        ("The accounting equation states that assets equal", ["Liabilities minus equity", "Liabilities plus equity", "Revenue minus expenses", "Equity minus liabilities"], 1),
        ("Depreciation allocates the cost of", ["Inventory", "A long-lived asset over its useful life", "Salaries", "Income taxes"], 1),
        ("Which financial statement reports revenues and expenses?", ["Balance sheet", "Income statement", "Statement of cash flows", "Statement of retained earnings"], 1),
        ("A debit entry increases which type of account?", ["Liability", "Revenue", "Asset", "Equity"], 2),
    ],
}  # fmt: skip
